// LeNet-5 training throughput on 1 and 2 threads on its own, outside `npm run bench` (where 2 threads
// often came out no faster than 1; see the stop notes of issue 5): the same interleaved SGD steps
// as the bench's row, repeated for several rounds so the spread shows.
//
//   npm run build && node dist/bench/lenet.js [rounds]
import { lenetTrain } from './peers/waldo.js';

const rounds = Number(process.argv[2] ?? 4);
for (let r = 1; r <= rounds; r++) {
  const [one, two] = lenetTrain([1, 2]);
  const rate = (t: { medianMs: number }) => ((64 * 1000) / t.medianMs).toFixed(0).padStart(6);
  console.log(`round ${r}: 1 thread ${rate(one!)} img/s, 2 threads ${rate(two!)} img/s (${one!.runs} steps each)`);
}
process.exit(0);
