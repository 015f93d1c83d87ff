import type { CAC } from "cac";
import { makeContext } from "./context.ts";
import { addHostCommand } from "./host-argv.ts";
import { doctorCommand } from "./lazy-commands.ts";
import { addPruneCommand } from "./prune-argv.ts";
import { addVersionCommand } from "./version-argv.ts";

/** `orch doctor`'s command line (its code loads only when it runs: commands/doctor.ts). */
export function addDoctorCommand(cli: CAC): void {
  cli
    .command(
      "doctor",
      "Check what orch needs on this machine (tmux, perl, ssh, agents, its home, store, service)",
    )
    .action((o: Record<string, unknown> & { home?: string; json?: boolean }) =>
      doctorCommand(makeContext(o)),
    );
}

/** The commands whose argv lives in files of their own: prune, host, doctor, version. */
export function addOwnFileCommands(cli: CAC): void {
  addPruneCommand(cli);
  addHostCommand(cli);
  addDoctorCommand(cli);
  addVersionCommand(cli);
}
