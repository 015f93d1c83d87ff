// Run with: node --test test/config.mjs
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULTS, parseConfig } from "../config.mjs";

test("an empty object gives the defaults", () => {
  assert.deepEqual(parseConfig("{}"), DEFAULTS);
});

test("a value overrides its default", () => {
  assert.equal(parseConfig('{"retries": 5}').retries, 5);
});

test("unknown keys are refused", () => {
  assert.throws(() => parseConfig('{"retry": 5}'), /unknown key "retry"/);
});

test("a value of the wrong type is refused", () => {
  assert.throws(() => parseConfig('{"verbose": "yes"}'), /verbose: expected a boolean/);
});

test("an array is not a config", () => {
  assert.throws(() => parseConfig("[]"), /must be a JSON object/);
});
