import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type OrchHarness, waitFor } from "./orch-harness.ts";
import { SshHosts } from "./ssh-hosts.ts";

/**
 * Test hosts (real sshd each) and an orch started with them added (`host add NAME NAME
 * --label L...`), its ssh calls reading the hosts' ssh config; `stop` stops orch (its hosts'
 * workers killed) and then the hosts.
 */
export async function orchWithHosts(
  orch: OrchHarness,
  hosts: Array<{ name: string; labels?: string[]; env?: Record<string, string> }>,
): Promise<{ hosts: SshHosts; stop(): Promise<void> }> {
  const ssh = new SshHosts(join(orch.root, "ssh"));
  for (const h of hosts) await ssh.add(h.name, { env: h.env ?? {} });
  mkdirSync(orch.home, { recursive: true, mode: 0o700 });
  writeFileSync(join(orch.home, "config.yaml"), `sshConfig: ${ssh.configFile}\n`, { mode: 0o600 });
  await orch.ok(["start"]);
  for (const h of hosts)
    await orch.ok(["host", "add", h.name, h.name, ...(h.labels ?? []).flatMap((l) => ["--label", l])]);
  // up (online, or degraded on a loaded machine) before the tests use them
  for (const h of hosts)
    await waitFor(
      `host ${h.name} up`,
      async () =>
        ["online", "degraded"].includes((await orch.json<{ state: string }>(["host", "show", h.name])).state),
      30_000,
    );
  return {
    hosts: ssh,
    async stop() {
      await orch.run(["stop", "--kill-workers"], 30_000).catch(() => undefined);
      ssh.cleanup();
      await orch.cleanup();
    },
  };
}
