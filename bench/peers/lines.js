'use strict';
// Shared driver for the peer scorers: stream a file (or stdin) line by line,
// call score(line) -> number, write one number per line to stdout (buffered),
// and report the count on stderr. Used by vader.js and afinn.js.
const fs = require('fs');
const readline = require('readline');

module.exports = function run(name, score, path) {
  const input = path && path !== '-' ? fs.createReadStream(path) : process.stdin;
  const rl = readline.createInterface({input, crlfDelay: Infinity});
  let out = [];
  let n = 0;
  const t0 = process.hrtime.bigint();
  const flush = () => {
    if (out.length) {
      process.stdout.write(out.join('\n') + '\n');
      out = [];
    }
  };
  rl.on('line', (line) => {
    out.push(String(score(line)));
    n++;
    if (out.length >= 4096) flush();
  });
  rl.on('close', () => {
    flush();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stderr.write(`${name}: ${n} lines scored in ${s.toFixed(3)} s\n`);
  });
  input.on('error', (e) => {
    process.stderr.write(`${name}: ${e.message}\n`);
    process.exit(2);
  });
};
