/**
 * The filter between a pane and its log file. tmux's pipe-pane runs it for every worker, so the
 * log is written (masked) also while the controller is away, which crash recovery reads. It
 * is a Perl program generated from the same rule table as the controller's masker: Perl is on
 * every Debian and Ubuntu system (perl-base is essential), and a Perl process costs a few
 * hundred KB of its own where another copy of orch would cost tens of MB per pane.
 *
 * The stream is masked a line at a time (a secret split across two `%output` chunks is whole
 * by the time its line ends); a line longer than 64 KB is written in parts cut at whitespace.
 * After each read the filter waits 50 ms before the next (unless the read filled its buffer):
 * the first chunk of a burst is written at once, the rest of it up to 50 ms later, and a busy
 * pane wakes the filter 20 times a second at most instead of once per chunk (16 busy shell
 * workers: 1.08x tasks/s over a 20 ms wait, 1.09x for 20 ms over none).
 * A PEM private key block is held from its BEGIN line and dropped up to its END line.
 * Rules are tried only on lines their hint matches; a case-insensitive rule's hint written in
 * plain lowercase (as every built-in one is) is matched on the lowercased line, which Perl scans
 * some 15x faster than an /i alternation.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { maskLabel } from "../domain/mask/masker.ts";
import {
  BUILTIN_RULES,
  type MaskRule,
  MIN_SECRET_ENV_VALUE,
  PEM_BEGIN,
  PEM_END,
  PEM_RULE_NAME,
  SECRET_ENV_NAME,
} from "../domain/mask/rules.ts";

/** A Perl single-quoted string: only `\` and `'` are special there. */
function perlString(s: string): string {
  return `'${s.replace(/[\\']/g, "\\$&")}'`;
}

function perlRule(r: MaskRule): string {
  const groups = (new RegExp(`${r.source}|`).exec("")?.length ?? 1) - 1;
  return `  [${perlString(maskLabel(r.name))}, ${perlString(r.source)}, ${perlString(r.flags ?? "")}, ${groups > 0 ? 1 : 0}, ${perlString(r.hint ?? "")}],`;
}

/**
 * The Perl program that masks stdin to stdout with the built-in rules and `userRules`, and
 * with the values of the secret-looking variables the agent got: those in its own environment
 * (tmux's) and, given the pane's pid as its argument, those in /proc/PID/environ. Given a
 * log file as its second argument it appends there, and follows a rename of the file (a log
 * rotation) by opening the name again before its next write.
 *
 * @example
 * ```ts
 * writeFileSync(file, maskFilterProgram([{ name: "ticket", source: "TKT-[0-9]{8}" }]));
 * // pipe-pane "exec perl FILE PANE_PID worker.log" (or "... PANE_PID >> worker.log")
 * ```
 */
export function maskFilterProgram(userRules: readonly MaskRule[]): string {
  const rules = [...BUILTIN_RULES, ...userRules].map(perlRule).join("\n");
  return `# orch pane-log mask filter (generated; see src/core/runtime/mask-filter.ts)
use strict;
no warnings;
binmode STDIN;
# the log: a file named as the second argument (opened again when it has been renamed away, so
# a rotation needs no new pipe: tmux drops what it has not yet written into a pipe it closes),
# or stdout
my $log_path = $ARGV[1];
my ($out, $log_ino);
sub open_log {
  umask 077;
  open($out, '>>', $log_path) or die "cannot open $log_path: $!\n";
  binmode $out;
  $log_ino = (stat $out)[1];
  select $out;
  $| = 1;
}
sub follow_rotation {
  return unless defined $log_path;
  my @st = stat $log_path;
  return if @st && $st[1] == $log_ino;
  close $out;
  open_log();
}
if (defined $log_path) { open_log(); } else { binmode STDOUT; $| = 1; }
# when tmux stops the pipe (or dies with the server) it signals this filter: what is still in
# the pipe (up to 50 ms of it, see below) must reach the log first, so the filter ends at EOF
$SIG{HUP} = $SIG{TERM} = $SIG{INT} = 'IGNORE';
# a case-insensitive hint of plain lowercase text is tried on the lowercased line
my @rules = map {
  my ($l, $src, $f, $g, $h) = @$_;
  my $lower = ($f eq 'i' && $h =~ /^[a-z0-9_|()?:\\[\\]-]+$/) ? 1 : 0;
  $h = $src if $h eq '';
  [$l, ($f eq 'i' ? qr/$src/i : qr/$src/), $g, (($f eq 'i' && !$lower) ? qr/$h/i : qr/$h/), $lower]
} (
${rules}
);
my $name = qr/${SECRET_ENV_NAME.replace(/\//g, "\\/")}/i;
# the agent's environment: this filter's own (tmux's), and the pane process's, given by its pid
my %env = %ENV;
if (@ARGV && $ARGV[0] =~ /^[0-9]+$/ && open(my $fh, '<', "/proc/$ARGV[0]/environ")) {
  local $/;
  my $all = <$fh>;
  close $fh;
  for my $kv (split /\0/, $all // '') {
    my $i = index($kv, '=');
    $env{substr($kv, 0, $i)} = substr($kv, $i + 1) if $i > 0;
  }
}
my @values = sort { length($b) <=> length($a) }
  grep { defined && length($_) >= ${MIN_SECRET_ENV_VALUE} } map { $env{$_} } grep { $_ =~ $name } keys %env;
my $literal = @values ? join('|', map { quotemeta } @values) : undef;
$literal = qr/$literal/ if defined $literal;
my $env_label = ${perlString(maskLabel("env"))};
my $pem_label = ${perlString(maskLabel(PEM_RULE_NAME))};
my $pem_begin = qr/${PEM_BEGIN}/;
my $pem_end = qr/${PEM_END}/;
my $max_line = 65536;

sub mask_text {
  my ($s) = @_;
  $s =~ s/$literal/$env_label/g if defined $literal;
  my $lc;
  for my $r (@rules) {
    if ($r->[4]) {
      $lc = lc $s unless defined $lc;
      next unless $lc =~ $r->[3];
    } else {
      next unless $s =~ $r->[3];
    }
    my ($label, $re, $grouped) = @$r;
    my $n = $grouped
      ? ($s =~ s/$re/substr($&, 0, $-[1] - $-[0]) . $label . substr($&, $+[1] - $-[0])/ge)
      : ($s =~ s/$re/$label/g);
    undef $lc if $n;
  }
  return $s;
}

my $buf = '';
my $in_pem = 0;

sub drain {
  my ($eof) = @_;
  while (length $buf) {
    if ($in_pem) {
      if ($buf =~ $pem_end) {
        $buf = substr($buf, $+[0]);
        $in_pem = 0;
        next;
      }
      # an END line may be split: keep its possible start
      $buf = $eof ? '' : substr($buf, -64) if length($buf) > 64 || $eof;
      return;
    }
    my $take = rindex($buf, "\\n") + 1;
    if ($take == 0) {
      return unless $eof || length($buf) > $max_line;
      $take = length $buf;
      if (!$eof) {
        my $cut = rindex($buf, ' ', length($buf) - 1024);
        $take = $cut > 0 ? $cut + 1 : length($buf) - 1024;
      }
    }
    my $part = substr($buf, 0, $take);
    if ($part =~ $pem_begin) {
      my $at = $-[0];
      print mask_text(substr($part, 0, $at)), $pem_label;
      $buf = substr($buf, $+[0]);
      $in_pem = 1;
      next;
    }
    print mask_text($part);
    $buf = substr($buf, $take);
  }
}

while (1) {
  my $n = sysread(STDIN, my $chunk, 65536);
  last unless $n;
  $buf .= $chunk;
  follow_rotation();
  drain(0);
  # a busy pane writes many small chunks: let the next ones gather in the pipe for a moment
  # (one wake-up per 50 ms at most, where each chunk cost one), unless the pipe was full
  select(undef, undef, undef, 0.05) if $n < 65536;
}
drain(1);
`;
}

/**
 * Writes the filter program to `file` (mode 0600) and runs it once on empty input, so a user rule
 * Perl cannot read is reported at start, not by a silent pane log. Returns an error or null.
 */
export function installMaskFilter(file: string, userRules: readonly MaskRule[]): string | null {
  writeFileSync(file, maskFilterProgram(userRules), { mode: 0o600 });
  // a run on empty input compiles every rule (perl -c would not: they are built at run time)
  const r = spawnSync("perl", [file], { encoding: "utf8", input: "", timeout: 10_000 });
  if (r.error) {
    return `masking pane logs needs perl, which did not run (${r.error.message}): install perl, or set mask: false`;
  }
  if (r.status !== 0) {
    const why = r.stderr.trim().split("\n")[0] ?? "";
    return `perl cannot use the masking rules (${why}): check maskRules in the config`;
  }
  return null;
}
