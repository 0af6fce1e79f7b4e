/** Help texts. Plain strings, printed to stdout; each ends with examples people can paste. */

export const MAIN_HELP = `mcp-workstation: serve a stdio MCP server over HTTP (Streamable HTTP, SSE, WebSocket),
locally and, once registered, through a WireGuard tunnel to an MCP gateway

Usage:
  mcp-workstation <command> [flags]

Commands:
  up        Serve one stdio MCP server at /mcp, /sse, /message, /ws and /servers/<name>/…
            (with no command: the embedded @modelcontextprotocol/server-everything),
            and through the gateway's tunnel when this machine is registered
  register  Register this machine with a gateway once, with a single-use token
  bridge    A drop-in for supergateway's stdio modes: same flags, swap the program's name

Flags:
  -h, --help      Show help (also: mcp-workstation <command> --help)
  -v, --version   Show the version

Examples:
  mcp-workstation up
  mcp-workstation up --name aws -- uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp
  mcp-workstation register --gateway https://gw.example.com:8443 --token-file token
  mcp-workstation bridge --stdio "npx -y @modelcontextprotocol/server-everything" --outputTransport streamableHttp --port 8000

Logs go to stderr: coloured lines on a terminal, JSON lines otherwise.
Docs: docs/gateway.md, docs/supergateway-compat.md, docs/development.md
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

Serves the stdio MCP server started by <command> (run as an argv, no shell) at
  /mcp (Streamable HTTP), /sse + /message (legacy SSE), /ws (WebSocket)
and the same under /servers/<name>/. With no command it serves the embedded default,
@modelcontextprotocol/server-everything. The first line it prints is the URL for your client.

When the state directory holds a registration (mcp-workstation register), it also brings up a
WireGuard tunnel to the gateway and serves the same server there, at
/servers/<name>/mcp on its tunnel address; the gateway publishes it to its MCP clients.
Without one it serves locally only. Bringing up WireGuard needs root (or CAP_NET_ADMIN).

Flags:
  --port <n>               Port to listen on (default 8000; 0 picks a free one)
  --host <address>         Address to listen on (default 127.0.0.1: this machine only)
  --name <name>            The server's name in URLs and logs (default "default")
  --session-mode <mode>    shared (default): one child for all sessions
                           stateless: one child, no session ids
                           per-session: a child per session
  --session-timeout <ms>   Close sessions idle this long (default 30 min)
  --api-key-file <file>    Require "Authorization: Bearer <key>" with the key in this file
                           (or set MCP_WORKSTATION_API_KEY; --api-key works but shows in ps)
  --log-level <level>      error, warn, info (default), debug or none
  -h, --help               Show this help

Tunnel (used when registered):
  --state-dir <dir>        The registration's directory (default $XDG_STATE_HOME/mcp-workstation)
  --wg-interface <name>    The WireGuard interface (default mcpw0; unique per machine)
  --wg-backend <backend>   auto (default: the kernel module, else wireguard-go), kernel or wireguard-go
  --ca-file <pem>          Also trust this CA certificate for the gateway's TLS
  --allow-http             Allow ws:// to a gateway that is not on this machine

Advanced:
  --allowed-hosts <h[:p]>  Also accept these Host headers (repeatable or comma-separated;
                           needed with --host 0.0.0.0)
  --allowed-origins <o>    Also accept requests from these browser Origins
  --max-sessions <n>       Open sessions allowed (default 1000; more get 503)
  --max-body-bytes <n>     Largest request body (default 4 MiB; larger get 413)

Every flag may also be spelled in camelCase (--logLevel, --apiKeyFile, …).

Examples:
  mcp-workstation up
  mcp-workstation up --port 9000 --name fs -- npx -y @modelcontextprotocol/server-filesystem ~/notes
  mcp-workstation up --session-mode per-session -- uvx mcp-server-git
  MCP_WORKSTATION_API_KEY=s3cret mcp-workstation up -- ./my-server --verbose
  sudo mcp-workstation up --state-dir /var/lib/mcp-workstation --name aws -- uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp
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
  -h, --help                     Show this help

Not supported (supergateway's remote-to-stdio modes): --sse, --streamableHttp, --header,
--oauth2Bearer, --outputTransport stdio.

Examples:
  mcp-workstation bridge --stdio "uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp --metadata AWS_REGION=us-east-1" --port 8000
  mcp-workstation bridge --stdio "npx -y @modelcontextprotocol/server-everything" --outputTransport streamableHttp --stateful
  mcp-workstation bridge --stdio "node server.js" --outputTransport ws --port 0
`;
