"""Hand-written word lists for the offline scorer: stopwords, light words, synonyms, abbreviations.

Kept small and generic on purpose: each group is a paraphrase students and candidates really use
for the same CS idea ("db"/"database", "fifo"/"first in first out", "method"/"function"). Nothing
here names a particular question; anything question-specific would overfit the benchmark.
"""

from __future__ import annotations

from core.domain.stemmer import stem


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


__all__ = [
    "CANONICAL",
    "COMMON_WORDS",
    "COMPARATIVES",
    "EXPANSIONS",
    "LIGHT_WORDS",
    "PHRASES",
    "STOPWORDS",
    "american",
]

STOPWORDS = _words(
    """
    a about above again against all am an and any anyone anything are aren as at be because
    been being below between both but by could did do does doing down during each either else
    eg e.g etc ever every few for from further had has have having he her here hers herself him
    himself his how however i ie if in into is it its itself just let lets me might mine must
    my myself nor of off on onto or other others otherwise our ours ourselves out over own per
    please same shall she should so some such than that the their theirs them themselves then
    there thereby therefore these they this those though through thus to too toward towards
    under until up upon us very via was we were what whatever when whenever where whereas
    wherever whether which while who whom whose why will with within would yes yeah you your
    yours yourself yourselves also can may basically actually really simply usually generally
    typically often sometimes always well much many lot lots okay ok like say said
    i.e one's it's
    """
)

# Words that carry some meaning but are too generic to earn full credit when matched.
LIGHT_WORDS = _words(
    """
    use used uses using make makes made making way ways thing things something get gets got
    getting take takes took give gives given need needs needed allow allows allowed able called
    call calls want wants more less most before after first last only once new not no never
    without none cannot nothing order type types value values work works done
    """
)

# Everyday English words: matching one says less than matching a technical term, so they count
# for less (a frequency prior standing in for corpus IDF, which the scorer cannot compute).
COMMON_WORDS = _words(
    """
    time year people way day thing life world state family group country problem hand part
    place case week company system program question work government number night point home
    area money story fact month lot right study book eye job word business issue side kind head
    house service friend power hour game line end member law city community name team minute
    idea body information back parent face level office door person result change reason moment
    force go say know think see come look find tell try ask feel become leave put mean let seem
    help talk turn show hear play run move live believe bring happen write provide sit stand
    lose pay meet include continue set learn lead understand watch follow speak read spend grow
    open walk win offer remember consider appear buy wait serve send expect stay fall cut reach
    remain good old great different important bad real best sure able local hard major better
    strong possible whole free true full special clear certain personal available likely
    current past common natural significant similar ready general various entire final main
    nice popular actual basic specific particular given rest instead example stuff piece bit
    """
)

# Groups of interchangeable words; the first word names the group. Both the word and its stem
# map to the group's canonical term, so "methods" and "procedure" both meet "function".
_GROUPS = [
    "function method procedure subroutine routine func fn",
    "parameter argument param params arg args",
    "variable var",
    "object instance obj",
    "attribute field property",
    "pointer ptr",
    "address addr location",
    "memory ram space mem",
    "database db databases dbs",
    "authentication auth authn authenticate authenticated",
    "authorization authz authorisation authorize authorise",
    "kubernetes k8s kube",
    "millisecond ms msec millis milliseconds",
    "microsecond µs microseconds",
    "kilobyte kb kilobytes",
    "megabyte mb megabytes",
    "gigabyte gb gigabytes",
    "configuration config configure configured",
    "environment env",
    "repository repo repos",
    "dependency dep deps dependencies",
    "asynchronous async asynchronously",
    "synchronous sync synchronously",
    "message msg msgs",
    "request req reqs",
    "response resp",
    "performance perf",
    "application app apps",
    "production prod",
    "implementation impl implement implemented implementing",
    "information info",
    "integer int",
    "string str",
    "character char chars",
    "boolean bool",
    "directory dir folder",
    "documentation doc docs",
    "javascript js",
    "typescript ts",
    "python py",
    "postgresql postgres pg",
    "mongodb mongo",
    "processor cpu",
    "c++ cpp",
    "throughput qps rps tps",
    "maximum max largest biggest highest greatest",
    "minimum min smallest lowest least",
    "insert add append",
    "delete remove erase eliminate",
    "create generate construct build instantiate",
    "call invoke",
    "execute run exec",
    "convert transform conversion",
    "store hold keep save",
    "begin start",
    "end finish terminate stop",
    "error bug fault defect mistake",
    "fast quick speedy rapid",
    "log logarithmic logarithm logarithmically",
    "sort sorted ordered=",
    "unique distinct",
    "reduce decrease minimize minimise shrink",
    "large big huge",
    "small little tiny",
    "unlimited infinite unbounded limitless indefinite arbitrary",
    "size length",
    "element item entry entity",
    "repeat repetition repeatedly repetitive retry retries retried",
    "iteration iterate iterative iteratively loop loops looping",
    "copy duplicate clone",
    "child kid",
    "previous prior preceding predecessor",
    "next successor subsequent",
    "modify change alter update edit mutate",
    "correct proper properly appropriate",
    "wrong incorrect improper incorrectly",
    "omit forget missing lack absent",
    "access retrieve fetch",
    "initialize init initialise initialization initialisation",
    "allocate alloc",
    "not no never without none nothing cannot",
    "0 zero",
    "1 one single singly",
    "2 two twice",
    "3 three",
    "4 four",
    "5 five",
    "6 six",
    "7 seven",
    "8 eight",
    "9 nine",
    "10 ten",
]

# Abbreviations that stand for several words: both sides expand, so either spelling matches.
EXPANSIONS = {
    "bst": "binary search tree",
    "adt": "abstract data type",
    "oop": "object oriented programming",
    "dbms": "database management system",
    "rdbms": "relational database management system",
    "os": "operating system",
    "vm": "virtual machine",
    "vms": "virtual machine",
    "lb": "load balancer",
    "cdn": "content delivery network",
    "ttl": "time to live",
    "pk": "primary key",
    "fk": "foreign key",
    "gc": "garbage collection",
    "ml": "machine learning",
    "nn": "neural network",
    "oom": "out of memory",
    "ci": "continuous integration",
    "cicd": "continuous integration continuous delivery",
    "dns": "domain name system",
    "ui": "user interface",
    "ux": "user experience",
    "rpc": "remote procedure call",
    "xss": "cross site scripting",
    "csrf": "cross site request forgery",
    "sqli": "sql injection",
    "ddos": "distributed denial of service",
    "dos": "denial of service",
    "mfa": "multi factor authentication",
    "2fa": "two factor authentication",
    "rbac": "role based access control",
    "sla": "service level agreement",
    "slo": "service level objective",
    "sli": "service level indicator",
    "iac": "infrastructure as code",
    "ssr": "server side rendering",
    "csr": "client side rendering",
    "spa": "single page application",
    "ipc": "inter process communication",
    "llm": "large language model",
    "etl": "extract transform load",
    "di": "dependency injection",
    "tdd": "test driven development",
    "dfs": "depth first search",
    "bfs": "breadth first search",
    "lru": "least recently used",
    "mtu": "maximum transmission unit",
    "acl": "access control list",
    "orm": "object relational mapping",
    "cte": "common table expression",
    "ssl": "tls",
}

# British spellings that Porter would stem differently from the American ones.
_NOT_BRITISH = _words(
    """
    otherwise promise exercise advise comprise precise concise premise expertise enterprise
    surprise noise raise praise compromise supervise devise revise improvise disguise franchise
    merchandise televise chastise despise excise incise wise rise arise
    """
)


def american(word: str) -> str:
    """Fold British spellings into American ones ("behaviour", "optimise") before stemming."""
    if len(word) > 5 and word.endswith(("our", "ours")) and not word.endswith(("hour", "four")):
        return word.replace("our", "or")
    for british, us in (
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ise", "ize"),
    ):
        if word.endswith(british) and len(word) > len(british) + 2:
            root = word[: -len(british)]
            if root + "ise" not in _NOT_BRITISH:
                return root + us
    if word.endswith("yse") and len(word) > 5:
        return word[:-3] + "yze"
    return word


def _build() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in _GROUPS:
        members = group.split()
        head = members[0]
        canonical = head if not head.isalpha() else stem(american(head))
        for member in members:
            # "word=" maps that spelling only: its stem is shared with unrelated words
            # ("ordered" means sorted, but "order" alone does not).
            exact = member.endswith("=")
            member = member.rstrip("=")
            table.setdefault(member, canonical)
            if member.isalpha() and not exact:
                table.setdefault(stem(american(member)), canonical)
    return table


CANONICAL: dict[str, str] = _build()

# Phrases rewritten to one word before tokenising: stopword removal would otherwise erase them
# ("first in first out" keeps only "first first"), and Big-O spellings vary wildly.
PHRASES: list[tuple[str, str]] = [
    # "while" is a stopword in prose but a keyword in code: keep the loop forms as one word.
    (r"\bdo\s*(?:\.{2,}|-|/)?\s*while\b", " dowhile "),
    (r"\bwhile[\s-]+(loop|statement)s?\b", " whileloop "),
    (r"\batleast\b", " at least "),
    (r"\bfirst[\s-]+in[\s,-]+first[\s-]+out\b", " fifo "),
    (r"\b(last[\s-]+in[\s,-]+first[\s-]+out|first[\s-]+in[\s,-]+last[\s-]+out|filo)\b", " lifo "),
    (r"\b(as many as|any number of)\b", " unlimited "),
    (r"\bin order\b(?!\s+(to|for|of)\b)", " sorted "),
    (r"\bin (two|half|halves)\b", " half "),
    (r"\bbig[\s-]*oh?\b(?!\s*\()", " bigo "),
    (r"\bo\s*\(\s*1\s*\)", " constant time "),
    (r"\bo\s*\(\s*n\s*\*?\s*log\s*\(?\s*n\s*\)?\s*\)", " linearithmic time "),
    (r"\bo\s*\(\s*log\s*\(?\s*n\s*\)?\s*\)", " logarithmic time "),
    (r"\bo\s*\(\s*n\s*(\^|\*\*)\s*2\s*\)|\bo\s*\(\s*n2\s*\)", " quadratic time "),
    (r"\bo\s*\(\s*n\s*\)", " linear time "),
]

# Comparatives and superlatives Porter leaves alone ("faster", "easiest"): map to the adjective.
_ADJECTIVES = sorted(
    _words(
        """
    fast slow quick low high big small large cheap short long easy hard simple safe light heavy
    few great close new old strong weak deep shallow wide narrow early late busy tight loose
    clean fresh smart rich poor
    """
    )
)


def _comparatives() -> dict[str, str]:
    table: dict[str, str] = {}
    for adj in _ADJECTIVES:
        if adj.endswith("y"):
            stems = [adj[:-1] + "i"]
        elif adj.endswith("e"):
            stems = [adj[:-1]]
        elif (
            len(adj) <= 4
            and adj[-1] not in "aeiouwxy"
            and adj[-2] in "aeiou"
            and adj[-3] not in "aeiou"
        ):
            stems = [adj + adj[-1], adj]
        else:
            stems = [adj]
        for base in stems:
            table[base + "er"] = adj
            table[base + "est"] = adj
    return table


COMPARATIVES: dict[str, str] = _comparatives()
