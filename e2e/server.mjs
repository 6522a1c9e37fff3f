// `tekigo serve --demo` for the browser tests: a free loopback port, a fresh data directory,
// and the one-time setup token the server prints on first start.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** The tekigo binary from TEKIGO_BIN; exits with 2 (an error, not a failure) without it. */
export function tekigoBin(spec) {
  const bin = process.env.TEKIGO_BIN;
  if (!bin || !fs.existsSync(bin)) {
    console.error(`${spec}: set TEKIGO_BIN to the tekigo binary (got ${JSON.stringify(bin)})`);
    process.exit(2);
  }
  return bin;
}

/** A free loopback port: bind to port 0, read the port, let it go. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `tekigo serve --demo` in a new temporary directory. `token` resolves with the
 * setup token; `stop()` ends the server and removes the directory.
 */
export async function startServer(bin) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tekigo-e2e-"));
  const port = await freePort();
  const child = spawn(
    bin,
    ["serve", "--data", path.join(tmp, "data"), "--bind", `127.0.0.1:${port}`, "--demo"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const token = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup token within 60 s:\n${out}\n${err}`)), 60_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/setup token: (\S+)/);
      if (m && out.includes("listening on")) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`tekigo serve exited with ${code}:\n${out}\n${err}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    token,
    tmp,
    log: () => `${out}\n${err}`,
    stop() {
      child.kill("SIGTERM");
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
