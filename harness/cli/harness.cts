#!/usr/bin/env node
// The `harness` command. A CommonJS file, because it has to run before libuv's thread pool
// exists: an ES module entry is itself read through that pool, which is then already started with
// its default size, and the size is read once, from UV_THREADPOOL_SIZE, when it starts.
// Where files are made durable with an fsync each (HARNESS_SYNC=fsync, or not Linux 5.8+; see
// store/atomic-write.ts), `harness run` keeps that many fsyncs in flight, all but one pool thread:
// a run is locked after a dozen of them, and with the default 4 threads they were the bottleneck:
// 1,000 simulated runs (bench/full-runs.mjs) took about 20 % less time with 10 threads than with
// 4, and 5-10 % less again with 18; 32 did no better. A size the user set is kept.
process.env.UV_THREADPOOL_SIZE ??= '18';
void import('./main.js');
