/** Help texts. Plain strings, printed to stdout; each ends with examples people can paste. */

export const MAIN_HELP = `mcp-workstation: serve stdio MCP servers over HTTP (Streamable HTTP, SSE, WebSocket),
locally and, once registered, through a WireGuard tunnel to an MCP gateway

Usage:
  mcp-workstation <command> [flags]

Commands:
  up        Serve stdio MCP servers at /servers/<name>/{mcp,sse,ws} (the first also at /mcp,
            /sse, /ws): from a config file, or one given after --, or the embedded
            @modelcontextprotocol/server-everything; and through the gateway's tunnel
            when this machine is registered
  register  Register this machine with a gateway once, with a single-use token
  status    Ask the running daemon how it is (exit 0 ready, 1 not ready, 3 not running)
  config    Check a configuration (config check) or show every value and its source (config print)
  doctor    Check every prerequisite (commands, WireGuard, privileges, state, gateway, clock)
  service   Install, remove or query the background service (systemd, launchd)
  logs      Show the background service's logs
  bridge    A drop-in for supergateway's stdio modes: same flags, swap the program's name
  init      Add a ready-made server to the config file (init aws: the AWS MCP Server)
  login     Renew a server's credentials on this machine (login aws: runs \`aws login\`)

Flags:
  -h, --help      Show help (also: mcp-workstation <command> --help)
  -v, --version   Show the version

Examples:
  mcp-workstation up
  mcp-workstation up --name aws -- uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp
  mcp-workstation up --config ~/.config/mcp-workstation/config.yaml
  mcp-workstation register --gateway https://gw.example.com:8443 --token-file token
  mcp-workstation status
  mcp-workstation service install
  mcp-workstation bridge --stdio "npx -y @modelcontextprotocol/server-everything" --outputTransport streamableHttp --port 8000

Logs go to stderr: coloured lines on a terminal, JSON lines otherwise.
Docs: docs/configuration.md, docs/foreground.md, docs/running-as-a-service.md, docs/docker-compose.md,
      docs/gateway.md, docs/supergateway-compat.md, docs/aws.md
`;

export const REGISTER_HELP = `Usage:
  mcp-workstation register --gateway <url> [--token-file <file>] [flags]

Registers this machine with an MCP gateway, once: it makes a WireGuard key pair here (the
private key never leaves this machine), sends the public key with the single-use
registration token, and saves the identity the gateway answers with (agentId, agentSecret,
tunnel settings, keys) in the state directory (0700, files 0600). Afterwards
\`mcp-workstation up\` serves its MCP server through the gateway as well as locally.

The token is read from --token-file, else from the environment variable
MCP_WORKSTATION_REGISTRATION_TOKEN, else from stdin (a pipe or a file). It is never logged.
Registering again, with a new token, replaces the identity in the state directory.

Flags:
  --gateway <url>        The gateway's URL (https://…; http:// only for loopback or with --allow-http)
  --token-file <file>    The file holding the registration token (mode 0600)
  --state-dir <dir>      Where the identity is saved (default $XDG_STATE_HOME/mcp-workstation,
                         i.e. ~/.local/state/mcp-workstation); \`up\` must use the same
  --name <agent name>    How the gateway lists this machine (default: the host name)
  --server <name>        A server this agent will serve, as \`up --name\` names it (repeatable;
                         default none: the agent reports its servers when it connects)
  --ca-file <pem>        Also trust this CA certificate for the gateway's TLS
  --allow-http           Allow http:// and ws:// to a gateway that is not on this machine
                         (the token, the agentSecret and MCP metadata travel unencrypted)
  --log-level <level>    error, warn, info (default), debug or none
  --token <token>        The token itself: works, but shows in \`ps\`; prefer --token-file
  -h, --help             Show this help

Examples:
  mcp-workstation register --gateway https://gw.example.com:8443 --token-file token && rm token
  mcp-workstation register --gateway https://gw.internal:8443 --token-file token --ca-file internal-ca.pem --name alice-laptop
  MCP_WORKSTATION_REGISTRATION_TOKEN=$(cat token) mcp-workstation register --gateway https://gw.example.com:8443
  mcp-workstation register --gateway https://gw.example.com:8443 --state-dir /var/lib/mcp-workstation < token
`;

export const UP_HELP = `Usage:
  mcp-workstation up [flags] [-- <command> [args…]]

Serves stdio MCP servers over HTTP: each at /servers/<name>/mcp (Streamable HTTP),
/servers/<name>/sse + /message (legacy SSE) and /servers/<name>/ws (WebSocket); the first
one also at /mcp, /sse, /message and /ws. The servers come from, in this order:
  - the command after --: one server, run as an argv (no shell), named by --name;
  - the config file's servers (--config, MCP_WORKSTATION_CONFIG, or
    ~/.config/mcp-workstation/config.yaml): several servers in one daemon;
  - else the embedded @modelcontextprotocol/server-everything.
Every flag below mirrors a config key (docs/configuration.md); flags win over the
environment (MCP_WORKSTATION_…), which wins over the file. A bad configuration exits with 78.

When the state directory holds a registration (mcp-workstation register), it also brings up a
WireGuard tunnel to the gateway and serves the same servers there. Bringing up WireGuard
needs root (or CAP_NET_ADMIN).

Health and metrics are on the admin listener (--admin, default 127.0.0.1:8001):
/healthz, /readyz, /status, /metrics; \`mcp-workstation status\` asks it.

Signals: SIGTERM or SIGINT stop gracefully (requests in flight get limits.shutdownGraceMs,
10 s; a second signal forces); SIGHUP reloads the config: servers added, removed or changed
are applied without dropping the tunnel or the sessions of the others.

Flags:
  --config <file>          The config file (JSON or YAML)
  --port <n>               Port of the MCP listener (default 8000; 0 picks a free one)
  --host <address>         Address to listen on (default 127.0.0.1: this machine only)
  --admin <addr>           Admin listener: HOST:PORT or a unix socket path (mode 0600)
  --name <name>            The one server's name (default "default"; a-z, 0-9, '-')
  --session-mode <mode>    The one server's sessions: shared (default), stateless, per-session
  --session-timeout <ms>   Close sessions idle this long (default 30 min; 0 never)
  --env-file <file>        Variables for the servers (NAME=value lines; must be mode 0600)
  --api-key-file <file>    Require "Authorization: Bearer <key>" with the key in this file
                           (or set MCP_WORKSTATION_API_KEY; --api-key works but shows in ps)
  --log-level <level>      error, warn, info (default), debug (adds one line per MCP request) or none
  --log-format <format>    auto (default: pretty on a terminal, JSON otherwise), json or pretty
  --foreground             Show each component's state as it changes (the default on a
                           terminal); with --log-level debug, each MCP request in one line
  --interactive            In a terminal: when AWS credentials expire, offer to run
                           \`aws login\` (or \`aws sso login\`) right here (implies --foreground)
  -h, --help               Show this help

Tunnel (used when registered):
  --state-dir <dir>        The registration's directory (default $XDG_STATE_HOME/mcp-workstation)
  --tunnel <auto|true|false>  auto (default): when registered; true: refuse to start without
  --wg-interface <name>    The WireGuard interface (default mcpw0; unique per machine)
  --wg-backend <backend>   auto (default: the kernel module, else wireguard-go), kernel or wireguard-go
  --ca-file <pem>          Also trust this CA certificate for the gateway's TLS
  --allow-http             Allow ws:// to a gateway that is not on this machine

Advanced:
  --allowed-hosts <h[:p]>  Also accept these Host headers (repeatable or comma-separated;
                           needed with --host 0.0.0.0)
  --allowed-origins <o>    Also accept requests from these browser Origins
  --cors-origins <o>       Send CORS headers to these origins ('*' for any)
  --max-sessions <n>       Open sessions allowed per server (default 1000; more get 503)
  --max-body-bytes <n>     Largest request body (default 4 MiB; larger get 413)
  --max-message-bytes <n>  Largest message a server may write (default 32 MiB; a larger
                           answer becomes a JSON-RPC error to its request)

Every flag may also be spelled in camelCase (--logLevel, --apiKeyFile, …).

Examples:
  mcp-workstation up
  mcp-workstation up --port 9000 --name fs -- npx -y @modelcontextprotocol/server-filesystem ~/notes
  mcp-workstation up --config ~/.config/mcp-workstation/config.yaml --admin /run/user/1000/mcpw.sock
  mcp-workstation up --session-mode per-session -- uvx mcp-server-git
  MCP_WORKSTATION_API_KEY=s3cret mcp-workstation up -- ./my-server --verbose
  sudo mcp-workstation up --state-dir /var/lib/mcp-workstation --name aws -- uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp
  kill -HUP "$(pgrep -f 'mcp-workstation up')"     # reload the config
`;

export const CONFIG_HELP = `Usage:
  mcp-workstation config check [flags] [-- <command> [args…]]
  mcp-workstation config print [flags] [-- <command> [args…]]

check: loads the configuration \`up\` would run with the same flags (file, environment,
flags, and the command after --), checks what only the machine can tell (files that must
exist, the servers' programs on PATH), prints warnings, and exits 0, or 78 with every problem
(each naming the key, its value, where it came from, what is allowed and the fix).

print: every setting, one per line, with its value and where it came from (default, file:line,
environment variable, flag). Secrets are shown as <redacted>.

Flags: those of \`mcp-workstation up\` (--config, --port, --admin, --state-dir, …), and
  --env-file <file>        check: also check the servers' environment file
  -h, --help               Show this help

Examples:
  mcp-workstation config check
  mcp-workstation config check --config /etc/mcp-workstation/config.yaml
  mcp-workstation config print --config config.yaml --port 9000
  MCP_WORKSTATION_LOG_LEVEL=debug mcp-workstation config print -- uvx mcp-server-git
`;

export const STATUS_HELP = `Usage:
  mcp-workstation status [--admin HOST:PORT|PATH] [--config <file>] [--json]

Asks the running daemon's admin listener for its status and prints each component (every
server, the bridge, the tunnel) with its state and reason, and the last errors.
The admin address is --admin, else the config's admin key (default 127.0.0.1:8001).

Exit codes (for scripts and health checks):
  0  the daemon is ready (every required component is)
  1  the daemon runs but is not ready (the output says why)
  3  no daemon answers at the admin address

Flags:
  --admin <addr>    The daemon's admin address: HOST:PORT or a unix socket path
  --config <file>   Read the admin address from this config file
  --json            Print the daemon's /status answer as JSON
  -h, --help        Show this help

Examples:
  mcp-workstation status
  mcp-workstation status --admin /run/mcp-workstation/admin.sock --json
  until mcp-workstation status >/dev/null; do sleep 1; done    # wait until ready
`;

export const SERVICE_HELP = `Usage:
  mcp-workstation service install [--system] [--config <file>] [--state-dir <dir>] [--env NAME…] [--dry-run] [--force] [up flags]
  mcp-workstation service uninstall [--system] [--dry-run]
  mcp-workstation service status [--system]

install writes the background service for this machine's manager and starts it: a systemd
user unit (--system: a system unit that runs as you, with CAP_NET_ADMIN when the tunnel needs
it), or a launchd LaunchAgent (--system: a LaunchDaemon). It records what this shell has: the
node and CLI paths, PATH (without relative entries and without what npm/npx put ahead of it
for one command), the config file, the state directory, and any \`up\` flags given here. A
system service refuses a PATH entry that a user other than you or root can write (it would
choose what the service runs); --force records it anyway, with a warning.
Variables named with --env are read from this shell into a 0600 environment file for the
servers, never into the unit. The unit is Type=notify (the daemon says when it is ready, and
pings a watchdog), reloads on \`systemctl reload\` and is not restarted after exit code 78.

Flags:
  --system           The system service (needs sudo) instead of the user service
  --config <file>    The config file the service reads (default: the one this shell would use)
  --state-dir <dir>  The registration's directory (default: this user's; /var/lib/mcp-workstation with --system)
  --env <NAME>       A variable the servers need, read from this shell now (repeatable)
  --dry-run          Print the files and commands, write and run nothing
  --force            Record PATH entries others can write (a system service refuses them)
  -h, --help         Show this help

status exits 0 when the service is running, 3 otherwise.

Examples:
  mcp-workstation service install --dry-run
  mcp-workstation service install --env AWS_PROFILE --env AWS_REGION
  sudo env "PATH=$PATH" "$(command -v mcp-workstation)" service install --system --admin /run/mcp-workstation/admin.sock
  mcp-workstation service status && mcp-workstation status
  mcp-workstation service uninstall
`;

export const LOGS_HELP = `Usage:
  mcp-workstation logs [--system] [--lines N] [--no-follow]

Shows the background service's logs where the platform keeps them: the journal under systemd
(journalctl [--user] -u mcp-workstation.service), the log file under launchd.

Flags:
  --system       The system service's logs
  --lines <n>    How many past lines to show first (default 100)
  --no-follow    Print and exit instead of following new lines
  -h, --help     Show this help

Examples:
  mcp-workstation logs
  mcp-workstation logs --system --lines 500 --no-follow
`;

export const DOCTOR_HELP = `Usage:
  mcp-workstation doctor [up flags] [--json]

Checks every prerequisite of \`mcp-workstation up\` and prints each with its state and, when
something is wrong, the fix: the configuration; each server's program on the PATH a service
would see (not only this shell's); WireGuard tools and privileges when registered; the state
directory's permissions; the admin address; the gateway reachable; the clock against the
gateway's. Exit code 0 when nothing fails, 1 otherwise (warnings do not fail).

Flags: those of \`mcp-workstation up\` (--config, --state-dir, --wg-backend, …), and
  --json        Print the checks as JSON
  -h, --help    Show this help

Examples:
  mcp-workstation doctor
  sudo mcp-workstation doctor --state-dir /var/lib/mcp-workstation
`;

export const BRIDGE_HELP = `Usage:
  mcp-workstation bridge --stdio "<command line>" [flags]

A drop-in for supergateway's stdio modes: a guide's supergateway command works with the
program's name swapped. Differences are listed in docs/supergateway-compat.md.

supergateway flags:
  --stdio "<cmd>"                Command line of the stdio MCP server (split like a shell
                                 would, quotes included, but run without one; see --shell)
  --outputTransport <t>          sse (default), streamableHttp or ws
  --port <n>                     Port to listen on (default 8000; 0 picks a free one)
  --stateful                     streamableHttp: keep sessions (Mcp-Session-Id). Without it,
                                 streamableHttp is stateless (still one shared child)
  --sessionTimeout <ms>          Close stateful sessions idle this long (default 30 min)
  --healthEndpoint <path…>       Paths answering "ok" (repeatable); /healthz and /readyz always exist
  --cors [origin…]               Send CORS headers to these origins (and let them in);
                                 bare --cors allows any origin
  --baseUrl <url>                Prefix of the message URL announced to SSE clients
  --ssePath <path>               SSE stream path (default /sse)
  --messagePath <path>           SSE message path, and the WebSocket path (default /message)
  --streamableHttpPath <path>    Streamable HTTP path (default /mcp)
  --logLevel <level>             debug, info (default) or none; also warn, error
  --protocolVersion <v>          Protocol version offered to the server in the bridge's own
                                 initialize (default: the newest the bridge speaks)

mcp-workstation flags:
  --host <address>               Address to listen on (default 127.0.0.1; supergateway
                                 listens on every interface: pass --host 0.0.0.0 for that)
  --sessionMode <mode>           With --stateful: shared (default, one child for all
                                 sessions) or per-session (supergateway's child per session)
  --apiKeyFile <file>            Require "Authorization: Bearer <key>" with the key in this file
                                 (or set MCP_WORKSTATION_API_KEY)
  --apiKey <key>                 The same, but visible to every local user in ps: avoid
  --name <name>                  The server's name in logs and errors (default: from --stdio)
  --shell                        Run --stdio through /bin/sh -c, as supergateway does
  --allowedHosts <h[:p]>         Also accept these Host headers (repeatable or comma-separated)
  --allowedOrigins <origin>      Also accept requests from these browser Origins
  --maxSessions <n>              Open sessions allowed (default 1000; more get 503)
  --maxBodyBytes <n>             Largest request body (default 4 MiB; larger get 413)
  --maxMessageBytes <n>          Largest message the server may write (default 32 MiB; a larger
                                 answer becomes a JSON-RPC error to its request)
  -h, --help                     Show this help

Not supported (supergateway's remote-to-stdio modes): --sse, --streamableHttp, --header,
--oauth2Bearer, --outputTransport stdio.

Examples:
  mcp-workstation bridge --stdio "uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp --metadata AWS_REGION=us-east-1" --port 8000
  mcp-workstation bridge --stdio "npx -y @modelcontextprotocol/server-everything" --outputTransport streamableHttp --stateful
  mcp-workstation bridge --stdio "node server.js" --outputTransport ws --port 0
`;

export const INIT_HELP = `Usage:
  mcp-workstation init aws [--region R] [--endpoint-region R] [--profile P] [--version V]
                           [--read-only] [--force] [--config F]

Adds a server named aws to the config file with the command line the AWS MCP Server guide
prescribes (uvx mcp-proxy-for-aws==V <endpoint URL> --metadata AWS_REGION=R …). The file is
made when missing (YAML, at $XDG_CONFIG_HOME/mcp-workstation/config.yaml or
~/.config/mcp-workstation/config.yaml); what is already in it is kept. Prints warnings about
the result. See docs/aws.md.

Flags:
  --region R            Where AWS operations run (default: the endpoint region, else us-east-1)
  --endpoint-region R   Which AWS MCP Server to talk to: us-east-1 or eu-central-1
                        (default: eu-central-1 for an eu-* region, else us-east-1)
  --profile P           The AWS profile to sign with (also sets AWS_PROFILE for the server)
  --version V           The mcp-proxy-for-aws release to pin (default 1.6.1; latest: unpinned)
  --read-only           The proxy hides tools that may write (IAM stays the real boundary)
  --force               Replace an existing aws server; accept an unknown endpoint region
  --config F            The config file to write (default: MCP_WORKSTATION_CONFIG, else the XDG path)
  -h, --help            Show this help

Examples:
  mcp-workstation init aws --region eu-west-1 --profile work
  mcp-workstation init aws --read-only --config ./config.yaml
`;

export const LOGIN_HELP = `Usage:
  mcp-workstation login aws [--profile P] [--config F]

Renews the AWS credentials the aws server signs with: runs the profile's own refresh
command (\`aws login\`, or \`aws sso login\` for an SSO profile) in this terminal, as this
user. The profile is --profile, else the configured aws server's, else default. The daemon
notices the new credentials and restarts the server's child by itself.

Flags:
  --profile P   The AWS profile to renew
  --config F    The config file whose aws server to use (default: as mcp-workstation up)
  -h, --help    Show this help

Examples:
  mcp-workstation login aws
  mcp-workstation login aws --profile work
`;
