#!/usr/bin/env node
'use strict';
// sentiment (AFINN-165): one number per input line, the "comparative" score
// (AFINN sum / token count); --score prints the raw AFINN sum instead.
// Usage: node afinn.js [--score] [FILE|-]   (default ../out/corpus.txt)
const path = require('path');
const Sentiment = require('sentiment');
const run = require('./lines.js');

const args = process.argv.slice(2);
const raw = args[0] === '--score';
if (raw) args.shift();
const sentiment = new Sentiment();
run('sentiment', raw ? (line) => sentiment.analyze(line).score
                     : (line) => sentiment.analyze(line).comparative,
    args[0] || path.join(__dirname, '..', 'out', 'corpus.txt'));
