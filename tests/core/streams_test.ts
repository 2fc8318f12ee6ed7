import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  rolloutStream,
  streamFingerprint,
  testMdpStream,
  trainingInitStream,
  trainingMdpStream,
  TRANSFER_STREAM_LABEL,
} from "../../lib/core/streams.ts";

const fp = streamFingerprint;

Deno.test("the stream layout is the documented fork paths", () => {
  assert.equal(fp(trainingInitStream(3)), fp(new Rng(3).fork("init")));
  assert.equal(fp(trainingMdpStream(3, 7)), fp(new Rng(3).fork("mdp").fork(7)));
  assert.equal(fp(testMdpStream(3, 7)), fp(new Rng(3).fork(TRANSFER_STREAM_LABEL).fork(7)));
  assert.equal(fp(testMdpStream(3, 7, "sweep")), fp(new Rng(3).fork("sweep").fork(7)));
  const t = testMdpStream(0, 1);
  assert.equal(fp(rolloutStream(t, "a")), fp(t.fork("rollout").fork("a")));
  assert.equal(fp(rolloutStream(t, "a", "shared")), fp(rolloutStream(t, "b", "shared")));
});

Deno.test("streams do not depend on what was drawn before (forking consumes nothing)", () => {
  const a = trainingMdpStream(1, 0);
  for (let i = 0; i < 10; i++) a.nextUint32();
  assert.equal(trainingMdpStream(1, 0).nextUint32(), new Rng(1).fork("mdp").fork(0).nextUint32());
  assert.equal(fp(a), fp(trainingMdpStream(1, 0)));
});

Deno.test("stream indices are validated", () => {
  assert.throws(() => trainingMdpStream(0, -1), /k must be/);
  assert.throws(() => testMdpStream(0, 1.5), /j must be/);
});
