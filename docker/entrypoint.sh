#!/bin/sh
# The mcp-workstation container's entrypoint: register with the gateway once, then run the
# daemon in the foreground as PID 1's child (compose's `init: true` reaps orphans).
#
#   (no arguments), or flags     mcp-workstation up [flags]; registers first when the state
#                                volume holds no registration and a token is given
#   up [flags] [-- cmd args…]    the same
#   register|status|doctor|config|service|logs|bridge|help|--help|--version …
#                                that mcp-workstation command, as is (and `up --help`)
#
# Environment:
#   MCP_WORKSTATION_GATEWAY_URL  the gateway to register with (needed for the first start)
#   MCP_WORKSTATION_TOKEN_FILE   the registration token (default /run/secrets/registration_token:
#                                the compose secret); MCP_WORKSTATION_REGISTRATION_TOKEN also works
#   MCP_WORKSTATION_STATE_DIR    the state volume (default /var/lib/mcp-workstation)
#   MCP_WORKSTATION_ADMIN        the admin socket that `status` asks (the Dockerfile sets it)
#   MCP_WORKSTATION_AGENT_NAME   how the gateway lists this agent (register --name)
#   MCP_WORKSTATION_CA_FILE      a CA certificate the gateway's TLS chains to (--ca-file)
#   MCP_WORKSTATION_RUN_AS       when started as root: the account the daemon runs as (a name,
#                                or uid:gid), keeping only CAP_NET_ADMIN (default node; set
#                                but empty: stay root)
#   MCP_WORKSTATION_RUNTIME_DIRS directories that account must own (default /run/mcp-workstation
#                                /run/wireguard: the admin socket's and wireguard-go's)
#
# The token is never printed, never put in an argument list and never copied anywhere but a
# private temporary file that is deleted once registration is over.
set -eu

STATE_DIR=${MCP_WORKSTATION_STATE_DIR:-/var/lib/mcp-workstation}
TOKEN_FILE=${MCP_WORKSTATION_TOKEN_FILE:-/run/secrets/registration_token}
GATEWAY_URL=${MCP_WORKSTATION_GATEWAY_URL:-}
ADMIN=${MCP_WORKSTATION_ADMIN:-}
RUN_AS=${MCP_WORKSTATION_RUN_AS-node}
RUNTIME_DIRS=${MCP_WORKSTATION_RUNTIME_DIRS-/run/mcp-workstation /run/wireguard}
AGENT_NAME=${MCP_WORKSTATION_AGENT_NAME:-}
CA_FILE=${MCP_WORKSTATION_CA_FILE:-}
# These are the entrypoint's, not the daemon's settings (it warns about MCP_WORKSTATION_*
# names it does not know), and the MCP servers inherit the daemon's environment.
unset MCP_WORKSTATION_TOKEN_FILE MCP_WORKSTATION_GATEWAY_URL MCP_WORKSTATION_RUN_AS MCP_WORKSTATION_RUNTIME_DIRS MCP_WORKSTATION_AGENT_NAME
EX_CONFIG=78
CAP_NET_ADMIN=12

say() { printf 'mcp-workstation-entrypoint: %s\n' "$*" >&2; }
fail() {
  status=$1
  shift
  printf 'mcp-workstation-entrypoint: error: %s\n' "$*" >&2
  exit "$status"
}

# ---- who the daemon runs as ---------------------------------------------------------------
# DROP_UID empty: run as we are. Otherwise setpriv switches to DROP_UID:DROP_GID and, when the
# container has NET_ADMIN, keeps it as an ambient capability so that node and the ip, wg and
# wireguard-go it starts can create the tunnel.
DROP_UID=
DROP_GID=
DROP_GROUPS=--clear-groups
KEEP_NET_ADMIN=

has_bounding_capability() {
  bounding=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status 2>/dev/null || true)
  [ -n "$bounding" ] && [ $(((0x$bounding >> $1) & 1)) -eq 1 ]
}

choose_account() {
  [ -n "$RUN_AS" ] || return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "started as uid $(id -u), not root: running as that user (MCP_WORKSTATION_RUN_AS=$RUN_AS applies only when the container starts as root)"
    return 0
  fi
  case $RUN_AS in
    *:*) DROP_UID=${RUN_AS%%:*} DROP_GID=${RUN_AS#*:} ;;
    *)
      DROP_UID=$(id -u "$RUN_AS" 2>/dev/null) || fail $EX_CONFIG "MCP_WORKSTATION_RUN_AS=$RUN_AS: there is no such user in the image; use an existing name (node) or uid:gid, or empty to run as root"
      DROP_GID=$(id -g "$RUN_AS")
      ;;
  esac
  case $DROP_UID$DROP_GID in
    '' | *[!0-9]*) fail $EX_CONFIG "MCP_WORKSTATION_RUN_AS=$RUN_AS: write a user name or numeric uid:gid, for example node or 1000:1000" ;;
  esac
  if [ "$DROP_UID" -eq 0 ]; then
    DROP_UID=
    return 0
  fi
  command -v setpriv >/dev/null 2>&1 || fail 1 "setpriv (util-linux) is missing, so the daemon cannot switch to $RUN_AS: install util-linux, or set MCP_WORKSTATION_RUN_AS= to run as root"
  if getent passwd "$DROP_UID" >/dev/null 2>&1; then DROP_GROUPS=--init-groups; fi
  if has_bounding_capability $CAP_NET_ADMIN; then
    KEEP_NET_ADMIN=1
  else
    say "warning: the container does not have NET_ADMIN, so the WireGuard tunnel cannot come up: add cap_add: [NET_ADMIN] (docker run --cap-add NET_ADMIN)"
  fi
}

# Runs "$@" as the chosen account (exec'ing when the first argument is `exec`).
as_daemon_user() {
  how=
  if [ "$1" = exec ]; then
    how=exec
    shift
  fi
  if [ -z "$DROP_UID" ]; then
    $how "$@"
  elif [ -n "$KEEP_NET_ADMIN" ]; then
    $how setpriv --reuid "$DROP_UID" --regid "$DROP_GID" "$DROP_GROUPS" --inh-caps +net_admin --ambient-caps +net_admin -- "$@"
  else
    $how setpriv --reuid "$DROP_UID" --regid "$DROP_GID" "$DROP_GROUPS" -- "$@"
  fi
}

# The state volume and the runtime directories, owned by the account that writes them.
prepare_directories() {
  [ -n "$DROP_UID" ] || return 0
  mkdir -p "$STATE_DIR"
  if [ "$(stat -c %u "$STATE_DIR")" != "$DROP_UID" ]; then
    say "giving $STATE_DIR to uid $DROP_UID (the account the daemon runs as)"
    chown -R "$DROP_UID:$DROP_GID" "$STATE_DIR"
  fi
  chmod 0700 "$STATE_DIR"
  for dir in $RUNTIME_DIRS; do
    mkdir -p "$dir"
    chown "$DROP_UID:$DROP_GID" "$dir"
  done
}

check_tun_device() {
  [ -n "$DROP_UID" ] && [ -e /dev/net/tun ] || return 0
  if ! as_daemon_user test -r /dev/net/tun -a -w /dev/net/tun; then
    say "warning: uid $DROP_UID cannot open /dev/net/tun, so the wireguard-go backend will fail: on the host, chmod 0666 /dev/net/tun (its usual mode), or set MCP_WORKSTATION_RUN_AS= to run as root"
  fi
}

# ---- registration -------------------------------------------------------------------------
registered() {
  # identity.json is written last by a registration (packages/tunnel state files).
  [ -s "$STATE_DIR/identity.json" ]
}

TOKEN_COPY_DIR=
cleanup() {
  if [ -n "$TOKEN_COPY_DIR" ]; then rm -rf "$TOKEN_COPY_DIR"; fi
}
trap cleanup EXIT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 130' INT

# The compose secret is a bind mount of the host's file, which the daemon's account may not
# be allowed to read: then root hands it over in a private copy (memory-backed when possible).
# Sets READABLE_TOKEN_FILE (not printed: a command substitution's subshell would lose TOKEN_COPY_DIR).
readable_token_file() {
  READABLE_TOKEN_FILE=$TOKEN_FILE
  if [ -z "$DROP_UID" ] || as_daemon_user test -r "$TOKEN_FILE"; then return 0; fi
  TOKEN_COPY_DIR=$(umask 077 && { mktemp -d /dev/shm/mcp-workstation-token.XXXXXX 2>/dev/null || mktemp -d; })
  (umask 077 && cp "$TOKEN_FILE" "$TOKEN_COPY_DIR/token")
  chown -R "$DROP_UID:$DROP_GID" "$TOKEN_COPY_DIR"
  READABLE_TOKEN_FILE=$TOKEN_COPY_DIR/token
}

register_agent() {
  # $1: the token file, or empty to let `register` read MCP_WORKSTATION_REGISTRATION_TOKEN.
  [ -n "$GATEWAY_URL" ] || fail $EX_CONFIG "this agent is not registered yet and MCP_WORKSTATION_GATEWAY_URL is not set: set it to the gateway's URL (for example https://gw.example.com:8443) in the compose environment or docker/.env"
  token_file=$1
  set -- register --gateway "$GATEWAY_URL" --state-dir "$STATE_DIR"
  if [ -n "$token_file" ]; then set -- "$@" --token-file "$token_file"; fi
  if [ -n "$AGENT_NAME" ]; then set -- "$@" --name "$AGENT_NAME"; fi
  if [ -n "$CA_FILE" ]; then set -- "$@" --ca-file "$CA_FILE"; fi
  say "registering with $GATEWAY_URL (state: $STATE_DIR)"
  as_daemon_user mcp-workstation "$@" || fail 1 "registration failed (the reason is above). A token works once and expires: make a new one on the gateway (mcp-workstation-gateway token create), put it in the secret file, and start again"
  cleanup
  TOKEN_COPY_DIR=
  registered || fail 1 "registration reported success but $STATE_DIR holds no identity.json: is MCP_WORKSTATION_STATE_DIR the directory register writes to?"
}

register_if_needed() {
  if registered; then
    say "registered already (state: $STATE_DIR)"
    return 0
  fi
  if [ -s "$TOKEN_FILE" ]; then
    [ -r "$TOKEN_FILE" ] || fail 1 "cannot read the registration token file $TOKEN_FILE: check its permissions on the host"
    readable_token_file
    register_agent "$READABLE_TOKEN_FILE"
  elif [ -n "${MCP_WORKSTATION_REGISTRATION_TOKEN:-}" ]; then
    register_agent ''
  elif [ -f "$STATE_DIR/revoked.json" ]; then
    say "the gateway revoked this agent's registration: serving locally only. To register again, put a new token in $TOKEN_FILE (the compose secret) and restart"
  else
    say "not registered and no registration token in $TOKEN_FILE: serving locally only. To join a gateway, put its token in the compose secret file, set MCP_WORKSTATION_GATEWAY_URL, and restart"
  fi
}

# ---- main -----------------------------------------------------------------------------------
command -v mcp-workstation >/dev/null 2>&1 || fail 1 "mcp-workstation is not on PATH ($PATH): is this the mcp-workstation image?"
choose_account

if [ "${1:-}" = up ]; then
  shift
  case ${1:-} in -h | --help) as_daemon_user exec mcp-workstation up "$@" ;; esac
fi
case ${1:-} in
  register | status | doctor | config | service | logs | bridge | help | --help | -h | --version | -v)
    if [ "$1" != register ]; then unset MCP_WORKSTATION_REGISTRATION_TOKEN; fi
    prepare_directories
    as_daemon_user exec mcp-workstation "$@"
    ;;
esac

prepare_directories
check_tun_device
register_if_needed

# Our flags go before the caller's: what follows their `--` is the server's own command line.
if [ -n "$CA_FILE" ]; then set -- --ca-file "$CA_FILE" "$@"; fi
if [ -n "$ADMIN" ]; then set -- --admin "$ADMIN" "$@"; fi
set -- up --state-dir "$STATE_DIR" "$@"
# Registered now (or not at all): the MCP servers must not inherit the token.
unset MCP_WORKSTATION_REGISTRATION_TOKEN
trap - EXIT TERM INT
as_daemon_user exec mcp-workstation "$@"
