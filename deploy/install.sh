#!/usr/bin/env bash
# Taizhang on one fresh Debian machine, as docs/deployment.md ("One machine") describes it: PostgreSQL and
# nginx from Debian's packages, the application built from this checkout, two web servers behind nginx,
# a job worker and the reminder loop as systemd services (started directly where systemd is not running,
# with the very command lines of the unit files), files on disk or in S3-compatible storage.
#
#   sudo deploy/install.sh            # idempotent: run again after `git pull` to migrate and restart
#   sudo deploy/install.sh --stop     # stop what it started (machines without systemd)
#
# Settings, from the environment: TAIZHANG_HOST (the site's name, default the machine's), TAIZHANG_HTTP_PORT
# (default 80), TAIZHANG_DATA (default /srv/taizhang), TAIZHANG_APP_DIR (default /opt/taizhang, where the
# application is copied and built), TAIZHANG_ADMIN_PASSWORD (else one is generated into
# /etc/taizhang/admin_password), and TAIZHANG_STORAGE=s3 with TAIZHANG_S3_* for object storage.
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE=$PWD
ROOT=${TAIZHANG_APP_DIR:-/opt/taizhang}  # the installed application: a copy of this checkout, built there
HOST=${TAIZHANG_HOST:-$(hostname -f 2>/dev/null || hostname)}
PORT=${TAIZHANG_HTTP_PORT:-80}
DATA=${TAIZHANG_DATA:-/srv/taizhang}
ETC=/etc/taizhang
WEB_PORTS=(8001 8002)
SERVICES=(taizhang-web@8001 taizhang-web@8002 taizhang-worker taizhang-remind)
say() { echo "== $*"; }
[ "$(id -u)" -eq 0 ] || { echo "deploy/install.sh: run it as root (sudo)" >&2; exit 1; }
systemd_runs() { [ -d /run/systemd/system ]; }

stop_direct() {
  local pids=()
  for pidfile in "$DATA"/run/*.pid; do
    [ -e "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    rm -f "$pidfile"
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 60); do  # gunicorn finishes the requests in hand first (its graceful timeout is 30 s)
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || return 0
    sleep 1
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}
if [ "${1:-}" = "--stop" ]; then
  if systemd_runs; then systemctl stop "${SERVICES[@]}"; else stop_direct; fi
  exit 0
fi

say "system packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "apt-get update failed; trying with the cached package lists"
apt-get install -y -qq --no-install-recommends postgresql nginx make python3-venv python3-dev gcc gettext curl >/dev/null
# Node.js may come from NodeSource (npm bundled, conflicting with Debian's npm): Debian's only if absent.
command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null

say "PostgreSQL: a role and a database"
read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS <<<"$(pg_lsclusters -h | awk 'NR==1 {print $1, $2, $3, $4}')"
if [ "$PG_STATUS" != "online" ]; then
  if systemd_runs; then systemctl start "postgresql@$PG_VERSION-$PG_CLUSTER"; else pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start; fi
fi
install -d -m 0750 "$ETC"
if [ ! -s "$ETC/db_password" ]; then head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$ETC/db_password"; fi
DB_PASSWORD=$(cat "$ETC/db_password")
psql_admin() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'taizhang'")" ]; then
  psql_admin -c "CREATE ROLE taizhang LOGIN PASSWORD '$DB_PASSWORD'"
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'taizhang'")" ]; then
  psql_admin -c "CREATE DATABASE taizhang OWNER taizhang ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
fi

say "the application into $ROOT (make install), its user and its data directory"
id taizhang >/dev/null 2>&1 || useradd --system --home-dir "$DATA" --shell /usr/sbin/nologin taizhang
install -d -m 0755 "$ROOT"
tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude=./node_modules --exclude=./build \
  --exclude=./test-output --exclude=./var --exclude='*/__pycache__' -cf - . | tar -C "$ROOT" -xf -
# The system's Python (the service user cannot reach a Python under root's home, as pyenv's is).
UV_PYTHON=$(command -v /usr/bin/python3 || command -v python3) make -C "$ROOT" install >/dev/null
install -d -o taizhang -g taizhang -m 0750 "$DATA" "$DATA/log" "$DATA/run"
chgrp taizhang "$ETC" "$ETC/db_password" && chmod 0640 "$ETC/db_password"

say "settings: $ETC/taizhang.env"
[ -s "$ETC/secret_key" ] || head -c 48 /dev/urandom | base64 | tr -d '\n' >"$ETC/secret_key"
{
  echo "TAIZHANG_VAR_DIR=$DATA"
  echo "DATABASE_URL=postgres://taizhang:$DB_PASSWORD@127.0.0.1:$PG_PORT/taizhang"
  echo "TAIZHANG_SECRET_KEY=$(cat "$ETC/secret_key")"
  echo "TAIZHANG_ALLOWED_HOSTS=$HOST,127.0.0.1,localhost"
  echo "TAIZHANG_TRUSTED_PROXIES=127.0.0.1"
  echo "TAIZHANG_DB_CONN_MAX_AGE=60"  # each app server thread keeps its connection (14 → 8 ms a one-row API request)
  env | grep -E '^TAIZHANG_(STORAGE|S3_[A-Z_]+|HTTPS|BASE_URL|CAS_[A-Z_]+|OIDC_[A-Z_]+|LDAP_[A-Z_]+|SSO_[A-Z_]+|SMTP_[A-Z_]+|CACHE)=' || true
} >"$ETC/taizhang.env"
chgrp taizhang "$ETC/secret_key" "$ETC/taizhang.env" && chmod 0640 "$ETC/secret_key" "$ETC/taizhang.env"
as_app() { runuser -u taizhang -- bash -c "set -a; . '$ETC/taizhang.env'; set +a; cd '$ROOT'; $1"; }

say "database schema and the first administrator"
as_app ".venv/bin/taizhang migrate --noinput -v 0"
if [ -z "$(as_app ".venv/bin/taizhang shell -v 0 -c \"from taizhang.org.models import User; print(User.objects.filter(role='admin').exists() or '')\"")" ]; then
  password=${TAIZHANG_ADMIN_PASSWORD:-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}
  (umask 077; echo "$password" >"$ETC/admin_password")
  as_app "TAIZHANG_ADMIN_PASSWORD='$password' .venv/bin/taizhang create_admin admin --name 系统管理员"
  echo "administrator: admin, password in $ETC/admin_password"
fi
as_app ".venv/bin/taizhang check --deploy --fail-level ERROR"

say "services: ${SERVICES[*]}"
render() { sed -e "s#@ROOT@#$ROOT#g" -e "s#@DATA@#$DATA#g" -e "s#@PORT@#$PORT#g" -e "s#@HOST@#$HOST#g" "$1"; }
for unit in deploy/systemd/*.service; do render "$unit" >"/etc/systemd/system/$(basename "$unit")"; done
if systemd_runs; then
  systemctl daemon-reload
  systemctl enable --now "${SERVICES[@]}" && systemctl restart "${SERVICES[@]}"
else
  # No systemd (a container, a CI machine): the same command lines, taken from the unit files.
  stop_direct
  for service in "${SERVICES[@]}"; do
    name=${service%@*}; instance=${service#*@}; [ "$name" = "$service" ] && instance=""
    command=$(sed -n 's/^ExecStart=//p' "/etc/systemd/system/$name${instance:+@}.service" | sed "s/%i/$instance/g")
    runuser -u taizhang -- bash -c "set -a; . '$ETC/taizhang.env'; set +a; cd '$ROOT'; exec $command" \
      >>"$DATA/log/$service.out" 2>&1 &
    echo $! >"$DATA/run/$service.pid"
  done
fi

say "nginx on port $PORT for $HOST"
render deploy/nginx/taizhang.conf >/etc/nginx/sites-available/taizhang
ln -sf /etc/nginx/sites-available/taizhang /etc/nginx/sites-enabled/taizhang
[ "$PORT" != 80 ] || rm -f /etc/nginx/sites-enabled/default
nginx -t -q
if systemd_runs; then systemctl enable --now nginx && systemctl reload nginx
elif pgrep -x nginx >/dev/null; then nginx -s reload
else nginx; fi

say "waiting for /readyz through nginx"
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz"; then
    echo "Taizhang is at http://$HOST:$PORT/"
    exit 0
  fi
  sleep 1
done
curl -sS "http://127.0.0.1:$PORT/readyz" || true
tail -n 20 "$DATA"/log/*.out 2>/dev/null || true
exit 1
