/**
 * The raw datagram send of sd_notify(3): a Unix SOCK_DGRAM socket, opened and written through
 * libc with bun:ffi. Bun 1.4 has no Unix datagram sockets of its own (`node:dgram` takes only
 * udp4/udp6, `Bun.udpSocket` is UDP), and spawning `systemd-notify` per message would send from
 * a short-lived child, which systemd credits to the service only with NotifyAccess=all.
 */

import { dlopen, FFIType, ptr, read } from "bun:ffi";
import { endianness } from "node:os";
import { errorMessage, fail, OK, ok, type Result } from "../domain/result.ts";

/** An open notify socket: one datagram per {@link NotifySocket.send}. */
export interface NotifySocket {
  /** The address it sends to, as given (`/run/...` or `@abstract`). */
  readonly address: string;
  /** Sends `text` as one datagram (e.g. `"READY=1\nSTATUS=ok"`); a failure is `unavailable`. */
  send(text: string): Result<void>;
  /** Closes the socket; calling it again does nothing. */
  close(): void;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
/** sizeof(struct sockaddr_un): a 2-byte family, then 108 bytes of path. */
const SUN_PATH_OFFSET = 2;
const SUN_PATH_MAX = 108;

/** The errno values a send can meet, by name (Linux numbers, the same on x86-64 and arm64). */
const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT (no socket at that path)",
  11: "EAGAIN (the receiver's queue is full)",
  13: "EACCES (permission denied)",
  20: "ENOTDIR",
  90: "EMSGSIZE",
  91: "EPROTOTYPE (not a datagram socket)",
  111: "ECONNREFUSED (nobody listens there)",
};

const LIBC = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  sendto: {
    args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32],
    returns: FFIType.i64_fast,
  },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

type Libc = ReturnType<typeof dlopen<typeof LIBC>>["symbols"];
let libc: Libc | null = null;

/** libc's symbols, opened once (glibc's soname first, then the generic name musl answers to). */
function openLibc(): Result<Libc> {
  if (libc) return ok(libc);
  const tried: string[] = [];
  for (const name of ["libc.so.6", "libc.so"]) {
    try {
      libc = dlopen(name, LIBC).symbols;
      return ok(libc);
    } catch (e) {
      tried.push(`${name}: ${errorMessage(e)}`);
    }
  }
  return fail("unavailable", `cannot load libc through bun:ffi (${tried.join("; ")})`);
}

/** The calling thread's errno, by name where known. */
function errnoName(c: Libc): string {
  const at = c.__errno_location();
  const n = at === null ? -1 : read.i32(at, 0);
  return ERRNO[n] ?? `errno ${n}`;
}

/** `struct sockaddr_un` for `address` and its length, or why it cannot be one (`bad_input`). */
function socketAddress(address: string): Result<{ bytes: Uint8Array; length: number }> {
  const abstract = address.startsWith("@");
  if (!abstract && !address.startsWith("/")) {
    return fail("bad_input", `notify socket "${address}": expected an absolute path or an @abstract name`);
  }
  // an abstract name starts with a NUL byte and has no terminator; a path is NUL-terminated
  const path = Buffer.from(abstract ? `\0${address.slice(1)}` : address);
  // either way one of the 108 bytes is a NUL: the abstract name's first, or the path's last
  if (path.length > SUN_PATH_MAX - 1 || path.length < 2) {
    return fail(
      "bad_input",
      `notify socket "${address}": expected 1 to ${SUN_PATH_MAX - 2} bytes after "${address[0]}"`,
    );
  }
  const bytes = new Uint8Array(SUN_PATH_OFFSET + SUN_PATH_MAX);
  new DataView(bytes.buffer).setUint16(0, AF_UNIX, endianness() === "LE");
  bytes.set(path, SUN_PATH_OFFSET);
  return ok({ bytes, length: SUN_PATH_OFFSET + path.length + (abstract ? 0 : 1) });
}

/**
 * Opens a datagram socket that sends to `address` (NOTIFY_SOCKET: an absolute path, or
 * `@name` for an abstract socket). Nothing is sent yet; a missing receiver shows at the first
 * send. The socket is close-on-exec, so the processes orch spawns do not inherit it. A bad
 * address is `bad_input`; no Linux, no libc or no socket is `unavailable`.
 *
 * @example
 * ```ts
 * const s = openNotifySocket(process.env.NOTIFY_SOCKET!);
 * if (s.ok) s.value.send("READY=1\nSTATUS=serving");
 * ```
 */
export function openNotifySocket(address: string): Result<NotifySocket> {
  if (process.platform !== "linux")
    return fail("unavailable", `sd_notify needs Linux, not ${process.platform}`);
  const addr = socketAddress(address);
  if (!addr.ok) return addr;
  const opened = openLibc();
  if (!opened.ok) return opened;
  const c = opened.value;
  const { bytes, length } = addr.value;
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("unavailable", `socket(AF_UNIX, SOCK_DGRAM) failed: ${errnoName(c)}`);
  let open = true;
  return ok({
    address,
    send(text) {
      if (!open) return fail("unavailable", `notify socket ${address} is closed`);
      const data = Buffer.from(text);
      const sent = c.sendto(fd, ptr(data), data.length, MSG_NOSIGNAL, ptr(bytes), length);
      if (Number(sent) === data.length) return OK;
      const why = Number(sent) < 0 ? errnoName(c) : `${sent} of ${data.length} bytes sent`;
      return fail("unavailable", `sending to notify socket ${address} failed: ${why}`);
    },
    close() {
      if (!open) return;
      open = false;
      c.close(fd);
    },
  });
}
