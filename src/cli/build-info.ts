import pkg from "../../package.json" with { type: "json" };

/** Set by scripts/build.ts (`--define`): the commit and date of the build; absent when run from source. */
declare const ORCH_BUILD: string | undefined;

/** What this orch is: its version, the commit and date it was built from, the runtime and platform. */
export interface BuildInfo {
  version: string;
  /** The short commit hash ("+changes" when src/ differed from it), or "source" when run from the source tree. */
  commit: string;
  /** When the binary was built (ISO 8601), or null when run from source. */
  date: string | null;
  runtime: string;
  platform: string;
}

export function buildInfo(): BuildInfo {
  const stamp =
    typeof ORCH_BUILD === "string" ? (JSON.parse(ORCH_BUILD) as { commit: string; date: string }) : null;
  return {
    version: pkg.version,
    commit: stamp?.commit ?? "source",
    date: stamp?.date ?? null,
    runtime: `bun ${process.versions.bun ?? "?"}`,
    platform: `${process.platform}-${process.arch}`,
  };
}
