import { resolve } from "node:path";
import { z } from "zod";
import type { ExtensionFactory } from "../../controller/extension.ts";
import { errorMessage } from "../../domain/result.ts";
import { exportState } from "./export-state.ts";

const backupBody = z.strictObject({ file: z.string().min(1) });

/** `POST /v1/backup {file}` (a consistent copy while the controller runs) and `GET /v1/state`. */
export const storeState: ExtensionFactory = ({ store, logger }) => ({
  name: "store-state",
  async route(req, parts) {
    const [, res, id] = parts;
    if (res === "state" && !id && req.method === "GET") return Response.json(exportState(store));
    if (res !== "backup" || id || req.method !== "POST") return null;
    const b = backupBody.safeParse(await req.json().catch(() => null));
    if (!b.success) return Response.json({ error: "expected {file: PATH}" }, { status: 400 });
    const file = resolve(b.data.file);
    try {
      store.backupTo(file);
    } catch (e) {
      return Response.json({ error: errorMessage(e) }, { status: 400 });
    }
    logger.log("info", "store backed up", { file });
    return Response.json({ ok: true, file });
  },
});
