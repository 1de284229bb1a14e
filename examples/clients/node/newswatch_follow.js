#!/usr/bin/env node
// Follow newswatch alerts over ZeroMQ and never miss one: a complete subscriber in Node.js
// (the `zeromq` npm package, version 6), written from docs/protocol.md alone.
//
// It subscribes first, then replays from the last seq it handled (saved in --state-file),
// then goes live; a jump in seq or a heartbeat naming a seq it has not seen sends it back to
// the replay endpoint to fill the gap. Each alert is printed once, as its JSON payload on one
// line, in seq order. With the daemon's public key and a key pair from `newswatch keygen` it
// speaks CURVE.
//
//   npm install                      # in this folder: zeromq 6 ships prebuilt binaries
//   node newswatch_follow.js --state-file ~/.newswatch-seq
//   node newswatch_follow.js --curve-server-key server.pub --curve-secret-key desk1.key
"use strict";

const fs = require("fs");
const zmq = require("zeromq");

function usage(message) {
  process.stderr.write(
    (message ? "newswatch_follow: " + message + "\n" : "") +
      "usage: newswatch_follow.js [--endpoint ADDR] [--replay ADDR] [--topic PREFIX]... [--state-file FILE]\n" +
      "         [--since N] [--curve-server-key FILE --curve-secret-key FILE] [--timeout S] [--seconds S]\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    endpoint: "tcp://127.0.0.1:7600",
    replay: "tcp://127.0.0.1:7601",
    topics: [],
    timeout: 5,
    seconds: 0,
  };
  const names = {
    "--endpoint": "endpoint",
    "--replay": "replay",
    "--state-file": "stateFile",
    "--since": "since",
    "--curve-server-key": "serverKey",
    "--curve-secret-key": "secretKey",
    "--timeout": "timeout",
    "--seconds": "seconds",
  };
  for (let i = 0; i < argv.length; i++) {
    let [name, value] = argv[i].split(/=(.*)/s);
    if (name === "--help" || name === "-h") usage();
    if (name !== "--topic" && !(name in names)) usage("unknown option " + name);
    if (value === undefined) {
      if (i + 1 >= argv.length) usage(name + " needs a value");
      value = argv[++i];
    }
    if (name === "--topic") o.topics.push(value);
    else o[names[name]] = value;
  }
  for (const k of ["since", "timeout", "seconds"]) {
    if (o[k] !== undefined && !(Number(o[k]) >= 0)) usage("--" + k + " takes a number >= 0");
    if (o[k] !== undefined) o[k] = Number(o[k]);
  }
  if (!o.serverKey !== !o.secretKey) usage("--curve-server-key and --curve-secret-key go together");
  if (o.topics.length === 0) o.topics = ["alert."];
  return o;
}

// A Z85 key from a `newswatch keygen` file: the `which = "..."` line, or a bare key line.
function readKey(path, which) {
  let bare = null;
  for (let line of fs.readFileSync(path, "utf8").split("\n")) {
    line = line.trim();
    const eq = line.indexOf("=");
    if (line.length === 40 && bare === null && !line.startsWith("#")) bare = line;
    else if (eq > 0 && line.slice(0, eq).trim() === which) return line.slice(eq + 1).trim().replace(/^"|"$/g, "");
  }
  if (bare !== null) return bare;
  throw new Error(path + ": no " + which);
}

class Follower {
  constructor(o) {
    this.o = o;
    this.curve = o.serverKey
      ? {
          curveServerKey: readKey(o.serverKey, "public-key"),
          curvePublicKey: readKey(o.secretKey, "public-key"),
          curveSecretKey: readKey(o.secretKey, "secret-key"),
        }
      : {};
    this.last = this.startSeq();
  }

  startSeq() {
    if (this.o.since !== undefined) return this.o.since;
    if (this.o.stateFile && fs.existsSync(this.o.stateFile))
      return Number(fs.readFileSync(this.o.stateFile, "utf8").trim() || 0);
    return 0; // everything the journal still holds
  }

  save() {
    if (!this.o.stateFile) return;
    const tmp = this.o.stateFile + ".tmp";
    fs.writeFileSync(tmp, this.last + "\n");
    fs.renameSync(tmp, this.o.stateFile); // never a torn number
  }

  handle(seq, payload) {
    process.stdout.write(payload.toString("utf8") + "\n");
    this.last = seq;
    this.save();
  }

  // Replays everything after this.last, page by page; throws when the replay endpoint does
  // not answer within --timeout seconds.
  async catchUp() {
    const req = new zmq.Request({ linger: 0, receiveTimeout: this.o.timeout * 1000, ...this.curve });
    req.connect(this.o.replay);
    try {
      for (;;) {
        await req.send(JSON.stringify({ since: this.last, topics: this.o.topics }));
        let frames;
        try {
          frames = await req.receive();
        } catch (e) {
          if (e.code === "EAGAIN") throw new Error("no answer from the replay endpoint " + this.o.replay);
          throw e;
        }
        const head = JSON.parse(frames[0].toString("utf8"));
        if (!head.ok) {
          if (!head.oldest_seq) throw new Error("replay refused: " + head.error);
          process.stderr.write(`LOST: alerts ${this.last + 1}..${head.oldest_seq - 1} are no longer journalled\n`);
          this.last = head.oldest_seq - 1;
          continue;
        }
        for (let i = 1; i + 1 < frames.length; i += 2) {
          const seq = JSON.parse(frames[i + 1].toString("utf8")).seq;
          if (seq > this.last) this.handle(seq, frames[i + 1]);
        }
        // Past what our topics hold too: seqs of other topics are not gaps of ours.
        if (head.last_seq > this.last) {
          this.last = head.last_seq;
          this.save();
        }
        if (!head.more) return;
      }
    } finally {
      req.close();
    }
  }

  async run() {
    const sub = new zmq.Subscriber({ linger: 0, ...this.curve });
    for (const t of this.o.topics) sub.subscribe(t);
    sub.subscribe("sys.heartbeat");
    sub.connect(this.o.endpoint); // first, so nothing falls between replay and live
    process.stderr.write(
      `following ${this.o.topics.join(", ")} on ${this.o.endpoint} (replay ${this.o.replay}) from seq ${this.last}\n`,
    );
    let timer = null;
    if (this.o.seconds > 0) timer = setTimeout(() => sub.close(), this.o.seconds * 1000);
    try {
      await this.catchUp();
      for await (const [topic, payload] of sub) {
        const body = JSON.parse(payload.toString("utf8"));
        if (topic.toString("utf8") === "sys.heartbeat") {
          if (body.last_seq > this.last) await this.catchUp(); // something went by unseen
          continue;
        }
        const seq = body.seq || 0;
        if (seq <= this.last) continue; // replay gave it already
        if (seq !== this.last + 1) {
          await this.catchUp(); // a gap: replay fills it, this alert included
          continue;
        }
        this.handle(seq, payload);
      }
    } finally {
      if (timer) clearTimeout(timer);
      if (!sub.closed) sub.close();
    }
  }
}

new Follower(parseArgs(process.argv.slice(2)))
  .run()
  .then(() => process.exit(0))
  .catch((e) => {
    process.stderr.write("newswatch_follow: " + e.message + "\n");
    process.exit(1);
  });
