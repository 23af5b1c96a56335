import { randomInt } from "node:crypto";
import { createServer } from "node:net";

/** Ports below Linux's ephemeral range (32768-60999), as infra/kafka/start.sh and infra/qdrant/start.sh pick. */
const LOW = 20_000;
const HIGH = 32_767;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/**
 * A loopback TCP port nothing listens on right now, picked at random in 20000-32767. A port the
 * kernel hands out for `listen(0)` comes from its ephemeral range, the same range outgoing
 * connections take their local ports from: on a busy test machine one of them took such a port
 * between the pick and the server's bind (CI: kube-apiserver "address already in use"). Below that
 * range only another test's pick can collide, which servers started by the test kits also survive by
 * starting again on a fresh port (see the test kit's kube-apiserver start).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = randomInt(LOW, HIGH + 1);
    if (await canBind(port)) return port;
  }
  throw new Error(`found no free port on 127.0.0.1 in ${LOW}-${HIGH} after 100 tries`);
}
