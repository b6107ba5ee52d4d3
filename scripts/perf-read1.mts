const root = process.argv[2];
const { openSource } = await import(`${root}/src/sources/open-source.ts`);
const source = await openSource('/tmp/perf-small', { dedupeRecords: false });
let n = 0;
for await (const batch of source.batches()) n += batch.length;
console.log(root, n);
