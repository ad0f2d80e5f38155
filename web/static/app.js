// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Forms that take a moment: disable the button that was pressed and say what is happening in an
  // aria-live region, so screen readers announce it too. A second click cannot submit twice.
  function markBusy(form, submitter) {
    const indicator = form.closest("section, main")?.querySelector("[data-evaluating-indicator]");
    const label = submitter?.dataset.busyLabel;
    if (submitter) {
      submitter.setAttribute("aria-disabled", "true");
      if (label) submitter.textContent = label;
    }
    if (indicator && label && form.hasAttribute("data-evaluate-form")) {
      indicator.innerHTML = "";
      const spinner = document.createElement("span");
      spinner.className = "spinner";
      spinner.setAttribute("aria-hidden", "true");
      indicator.append(spinner, document.createTextNode(
        label.startsWith("Writing") ? "Writing a follow-up question…" : "Evaluating your answer… this takes a few seconds."
      ));
    }
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const confirmText = form.dataset.confirm;
    if (confirmText && !window.confirm(confirmText)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    if (form.matches("[data-evaluate-form], [data-busy-form]")) {
      form.dataset.submitted = "true";
      markBusy(form, event.submitter);
    }
  });

  // Coming back with the Back button restores the page as it was left: make its forms usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("[aria-disabled]").forEach((button) => button.removeAttribute("aria-disabled"));
    });
  });

  // An answer being evaluated in the background: ask the API how the question stands and
  // reload the page once its step is another one. The step names come from the server (the
  // core's Interview); nothing is decided here but "has it changed".
  document.querySelectorAll("[data-poll]").forEach(function (box) {
    const url = box.dataset.poll;
    const step = box.dataset.pollStep;
    const every = Math.max(1, Number(box.dataset.pollSeconds) || 2) * 1000;
    const elapsed = box.querySelector("[data-poll-elapsed]");
    const problem = box.querySelector("[data-poll-problem]");
    const started = Date.now();
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (answer.ok && answer.body.step !== step) {
            window.location.reload();
            return;
          }
          problem.hidden = answer.ok;
          if (!answer.ok) problem.textContent = answer.body.message || "";
          window.setTimeout(poll, every);
        })
        .catch(function () { window.setTimeout(poll, every); });  // offline for a moment
      elapsed.hidden = false;
      elapsed.textContent = "Waiting for the result: " + Math.round((Date.now() - started) / 1000) + " s so far.";
    }
    window.setTimeout(poll, every);
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });

  // Charts: drawn from the JSON the page embeds (the same figures are in the tables below them).
  const source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue(name).trim();
  const palette = {
    accent: colour("--accent"),
    text: colour("--muted"),
    grid: colour("--border"),
  };
  // Each bar arrives with the core's score band: the page's shade of it (kept readable in light
  // and dark mode), else the band's own colour. No thresholds here.
  const bandColour = (band) => band == null ? colour("--band-none")
    : colour("--band-" + band.name) || band.colour;

  Chart.defaults.color = palette.text;
  Chart.defaults.borderColor = palette.grid;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.display = false;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (reducedMotion) Chart.defaults.animation = false;

  // Labels come ready from the server: each bar's own day in the quota time zone (and its time
  // when two bars share a day), so the reader's time zone cannot move a bar to another day.

  const scoreAxis = { min: 0, max: 10, ticks: { stepSize: 2 }, title: { display: true, text: "Score" } };
  const countAxis = { beginAtZero: true, ticks: { precision: 0 } };

  const builders = {
    scoreTrend: (d) => ({
      type: "line",
      data: { labels: d.labels, datasets: [{ data: d.values, label: "Average score", borderColor: palette.accent,
        backgroundColor: palette.accent + "22", fill: true, tension: 0.3, pointRadius: 3 }] },
      options: { scales: { y: scoreAxis } },
    }),
    sessionsPerDay: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ data: d.values, label: "Sessions", backgroundColor: palette.accent, borderRadius: 4 }] },
      options: { scales: { y: countAxis } },
    }),
    byRole: (d) => averageBars(d),
    byDifficulty: (d) => averageBars(d),
    byPlatform: (d) => countBars(d, "Sessions"),
    byWorkspace: (d) => countBars(d, "Sessions"),
    byTag: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ data: d.counts, label: "Times", backgroundColor: colour("--band-fair"), borderRadius: 4 }] },
      options: { indexAxis: "y", scales: { x: countAxis } },
    }),
    // One line per weak topic; the server sends the values (null on days without a review).
    mastery: (d) => ({
      type: "line",
      data: { labels: d.labels, datasets: d.series.map((s, i) => ({ label: s.label, data: s.values,
        borderColor: seriesColour(i), backgroundColor: seriesColour(i), spanGaps: true, tension: 0.3, pointRadius: 3 })) },
      options: { scales: { y: scoreAxis }, plugins: { legend: { display: true } } },
    }),
    participation: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ data: d.values, label: "Answers", backgroundColor: palette.accent, borderRadius: 4, maxBarThickness: 48 }] },
      options: { scales: { y: countAxis } },
    }),
    answersPerSession: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ data: d.values, label: "Answers", backgroundColor: palette.accent, borderRadius: 4, maxBarThickness: 48 }] },
      options: { scales: { y: countAxis } },
    }),
  };

  function seriesColour(i) {
    const names = ["--accent", "--band-fair", "--band-strong", "--band-weak", "--band-good"];
    return colour(names[i % names.length]);
  }

  function averageBars(d) {
    return {
      type: "bar",
      data: { labels: d.labels, datasets: [{ data: d.averages, label: "Average score",
        backgroundColor: d.bands.map(bandColour), borderRadius: 6, maxBarThickness: 48 }] },
      options: { scales: { y: scoreAxis }, plugins: { tooltip: { callbacks: {
        afterLabel: (item) => d.bands[item.dataIndex]?.label ?? "" } } } },
    };
  }

  function countBars(d, label) {
    return {
      type: "bar",
      data: { labels: d.labels, datasets: [{ data: d.counts, label: label, backgroundColor: palette.accent, borderRadius: 4, maxBarThickness: 48 }] },
      options: { scales: { y: countAxis } },
    };
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const key = canvas.dataset.chart;
    const series = data[key];
    // One participation chart per question-of-the-day channel: "participation<id>".
    const build = builders[key] || (key.startsWith("participation") ? builders.participation : null);
    if (!series || !build) return;
    if (!series.labels.length) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "Nothing to chart yet.";
      canvas.replaceWith(empty);
      return;
    }
    new Chart(canvas, build(series));
    canvas.dataset.rendered = "true";
  });
})();
