import { expect, test } from "bun:test";
import { inSandbox } from "../../../src/core/runtime/sandbox.ts";

test("IS_SANDBOX decides when it is set; the container variable counts as a sandbox", () => {
  expect(inSandbox({ IS_SANDBOX: "1" })).toBe(true);
  expect(inSandbox({ IS_SANDBOX: "yes" })).toBe(true);
  expect(inSandbox({ IS_SANDBOX: "0", container: "docker" })).toBe(false);
  expect(inSandbox({ IS_SANDBOX: "off" })).toBe(false);
  expect(inSandbox({ container: "podman" })).toBe(true);
});

test("a CI job counts as a sandbox unless IS_SANDBOX=0 says otherwise", () => {
  expect(inSandbox({ CI: "true" })).toBe(true);
  expect(inSandbox({ CI: "true", IS_SANDBOX: "0" })).toBe(false);
});
