import type { CAC } from "cac";
import { buildInfo } from "./build-info.ts";
import { printJson } from "./output.ts";
import { out } from "./stdio.ts";

/** `orch version [--json]`: the version, and the commit and date the binary was built from. */
export function addVersionCommand(cli: CAC): void {
  cli
    .command("version", "Print orch's version, the commit and date it was built from, runtime and platform")
    .action((o: { json?: boolean }) => {
      const b = buildInfo();
      if (o.json) printJson(b);
      else
        out.line(
          `orch ${b.version} (${b.commit}${b.date ? `, built ${b.date}` : ""}; ${b.runtime}, ${b.platform})`,
        );
      return 0;
    });
}
