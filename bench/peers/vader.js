#!/usr/bin/env node
'use strict';
// vader-sentiment (VADER's JavaScript port): one compound polarity in [-1,1]
// per input line. Usage: node vader.js [FILE|-]   (default ../out/corpus.txt)
const path = require('path');
const vader = require('vader-sentiment');
const run = require('./lines.js');

const sia = vader.SentimentIntensityAnalyzer;
run('vader-sentiment', (line) => sia.polarity_scores(line).compound,
    process.argv[2] || path.join(__dirname, '..', 'out', 'corpus.txt'));
