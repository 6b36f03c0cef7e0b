#!/usr/bin/env bash
# After deploy/install.sh: the installation answers as a user meets it, through nginx. Ready (database,
# migrations, storage, a worker), the administrator signs in and sees the home page, both web servers
# serve, the headers name no software versions. Exits non-zero naming the first thing that is wrong.
set -euo pipefail
PORT=${TAIZHANG_HTTP_PORT:-80}
DATA=${TAIZHANG_DATA:-/srv/taizhang}
BASE="http://127.0.0.1:$PORT"
JAR=$(mktemp)
trap 'rm -f "$JAR"' EXIT
fail() { echo "deploy check: $*" >&2; exit 1; }

ready=$(curl -sS "$BASE/readyz") || fail "/readyz does not answer"
echo "$ready" | grep -q '"status": *"ready"' || fail "/readyz: $ready"

headers=$(curl -sS -D - -o /dev/null "$BASE/login/")
echo "$headers" | grep -qi '^server: nginx\s*$' || fail "the Server header names a version: $(echo "$headers" | grep -i '^server')"
echo "$headers" | grep -qi '^content-security-policy:' || fail "no Content-Security-Policy through nginx"

# Pages are read whole into a variable before they are searched: `curl | grep -q` under pipefail fails
# whenever grep stops reading at the first match while curl is still writing (curl exit 23).
login=$(curl -sS -c "$JAR" "$BASE/login/") || fail "the sign-in page does not answer"
token=$(printf '%s\n' "$login" | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | sed -n 1p)
[ -n "$token" ] || fail "the sign-in page has no form"
status=$(curl -sS -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' -e "$BASE/login/" \
  --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=admin" \
  --data-urlencode "password=$(cat /etc/taizhang/admin_password)" "$BASE/login/")
[ "$status" = 302 ] || fail "the administrator's sign-in answered $status"
home=$(curl -sS -b "$JAR" "$BASE/") || fail "the home page does not answer"
grep -q '待办' <<<"$home" || fail "the home page after sign-in has no 待办"

before=()
for port in 8001 8002; do before+=("$(wc -l <"$DATA/log/web-$port.log")"); done
for _ in $(seq 1 20); do curl -fsS -o /dev/null -b "$JAR" "$BASE/"; done
i=0
for port in 8001 8002; do
  after=$(wc -l <"$DATA/log/web-$port.log")
  [ "$after" -gt "${before[$i]}" ] || fail "the web server on $port served none of 20 requests"
  i=$((i + 1))
done
echo "deploy check: ready, signed in through nginx, both web servers serving"
