import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The widget: one self-contained IIFE, `dist/widget/widget.js`, loaded by one `<script>` tag. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2019',
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./src/main.ts', import.meta.url)),
      name: 'DeskmindWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
