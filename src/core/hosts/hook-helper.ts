/**
 * The helper an agent's hook runs on a host reached over ssh, in place of `orch hook` (orch is
 * not installed there). orch writes it into its directory on the host at every connect,
 * checked by its SHA-256, so it always matches this build. Perl from perl-base only.
 *
 * `perl hook.pl WORKER EVENT [PAYLOAD]`: the event's payload comes as PAYLOAD or on stdin (read
 * for at most 1 s) and is posted, as it is, to `POST /hook/WORKER/EVENT` on the Unix socket
 * `hook.sock` next to the helper, which ssh forwards to the controller's relay for this host
 * (no TCP port on either side). It prints nothing and always exits 0 within about 4 s, so a
 * controller that is away never breaks the agent's turn.
 */
export const HOOK_HELPER = `use strict; use warnings; use IO::Socket::UNIX; use File::Basename qw(dirname);
my ($worker, $event, $payload) = @ARGV;
exit 0 unless defined $event;
my $sock = dirname(__FILE__) . '/hook.sock';
eval {
  local $SIG{ALRM} = sub { die "timeout\\n" };
  if (!defined $payload) {
    $payload = '';
    if (!-t STDIN) {
      alarm 1;
      eval { local $/; my $in = <STDIN>; $payload = $in if defined $in; };
      alarm 0;
    }
  }
  alarm 3;
  my $enc = sub { my $s = shift; $s =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge; $s };
  my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $sock) or die "no socket\\n";
  binmode $c;
  print $c 'POST /hook/' . $enc->($worker) . '/' . $enc->($event) . " HTTP/1.1\\r\\nHost: orch\\r\\n"
    . "Content-Type: application/octet-stream\\r\\nContent-Length: " . length($payload)
    . "\\r\\nConnection: close\\r\\n\\r\\n" . $payload;
  my $answer; 1 while read($c, $answer, 4096);
  alarm 0;
};
exit 0;
`;

/** The helper's file name in orch's directory on a host, and the socket's next to it. */
export const HOOK_HELPER_FILE = "hook.pl";
export const HOOK_SOCKET_FILE = "hook.sock";

/**
 * The argv a remote worker's hook runs for `event`: the helper, the worker and the event.
 *
 * @example
 * ```ts
 * remoteHookArgv("/home/me/.orch-host/orch-ab-b1", "c1", "Stop");
 * // ["perl", "/home/me/.orch-host/orch-ab-b1/hook.pl", "c1", "Stop"]
 * ```
 */
export function remoteHookArgv(dir: string, worker: string, event: string): string[] {
  return ["perl", `${dir}/${HOOK_HELPER_FILE}`, worker, event];
}
