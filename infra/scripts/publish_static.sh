#!/usr/bin/env bash
# Upload web/static to the stack's bucket (under static/, the only prefix CloudFront may read)
# and invalidate CloudFront's copy of /static/*.
#
#   infra/scripts/publish_static.sh [--delete] [--wait] BUCKET DISTRIBUTION_ID
#
# deploy.yml runs it twice. Before `sam deploy` (when the stack exists), with --wait: the new
# pages carry ?v=<content hash> in their asset URLs, but CloudFront's cache key ignores query
# strings, so a new page served before the new file reached the edge would pin the old file in
# browsers under the new URL for an hour. After `sam deploy`, with --delete: it drops the files
# the new code no longer uses and, on the first deploy, uploads everything.
# Needs the built chart library (npm ci --prefix web && npm run build --prefix web): with
# --delete, a missing web/static/vendor would remove it from the bucket.
set -euo pipefail

delete=() wait=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --delete) delete=(--delete); shift ;;
    --wait) wait=true; shift ;;
    -*) echo "publish_static: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ "$#" -ne 2 ]; then
  echo "usage: $0 [--delete] [--wait] BUCKET DISTRIBUTION_ID" >&2
  exit 2
fi
bucket="$1" distribution="$2"
static="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/web/static"

if [ -z "$(ls -A "$static/vendor" 2>/dev/null)" ]; then
  echo "publish_static: $static/vendor is empty: run npm ci --prefix web && npm run build --prefix web" >&2
  exit 1
fi

# The file names carry no hash, so browsers revalidate hourly; the pages' ?v= does the rest.
# ${a[@]+...}: an empty array under `set -u` is an error in the bash 3.2 macOS ships.
aws s3 sync "$static" "s3://$bucket/static" ${delete[@]+"${delete[@]}"} --only-show-errors \
  --cache-control "public, max-age=3600"
invalidation="$(aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths "/static/*" --query Invalidation.Id --output text)"
echo "publish_static: uploaded web/static to s3://$bucket/static; invalidation $invalidation"
if [ "$wait" = true ]; then
  aws cloudfront wait invalidation-completed --distribution-id "$distribution" --id "$invalidation"
  echo "publish_static: invalidation $invalidation completed"
fi
