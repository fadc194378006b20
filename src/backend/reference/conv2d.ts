import type { Conv2dGeometry, Epilogue, FloatArray } from '../backend.js';
import { applyEpilogue } from './relu.js';

/**
 * Reference convolution kernels: loops that read like the equation
 *   out[n,o,i,j] = bias[o] + Σ_{c,a,b} w[o,c,a,b] · x[n, g·Cg + c, i·sH − pT + a·dH, j·sW − pL + b·dW]
 * where g = o / (Cout/groups) is the group of output channel o and Cg = Cin/groups.
 * Input positions outside the image are the zero padding and contribute nothing.
 * The two backward kernels are the same sum, with the roles of the three arrays exchanged.
 */

/** Calls visit(xIndex, wIndex, outIndex) for every term of the convolution sum that lies inside the input. */
function forEachTerm(g: Conv2dGeometry, visit: (xi: number, wi: number, oi: number) => void): void {
  const { batch, inChannels, outChannels, groups, inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth } = g;
  const cg = inChannels / groups;
  const og = outChannels / groups;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const group = Math.floor(o / og);
      for (let i = 0; i < outHeight; i++) {
        for (let j = 0; j < outWidth; j++) {
          const oi = ((n * outChannels + o) * outHeight + i) * outWidth + j;
          for (let c = 0; c < cg; c++) {
            const channel = group * cg + c;
            for (let a = 0; a < kernelHeight; a++) {
              const y = i * g.strideH - g.padTop + a * g.dilationH;
              if (y < 0 || y >= inHeight) continue;
              for (let b = 0; b < kernelWidth; b++) {
                const x = j * g.strideW - g.padLeft + b * g.dilationW;
                if (x < 0 || x >= inWidth) continue;
                const xi = ((n * inChannels + channel) * inHeight + y) * inWidth + x;
                const wi = ((o * cg + c) * kernelHeight + a) * kernelWidth + b;
                visit(xi, wi, oi);
              }
            }
          }
        }
      }
    }
  }
}

export function conv2dForward(g: Conv2dGeometry, x: FloatArray, w: FloatArray, bias: FloatArray | null, out: FloatArray, epilogue: Epilogue = null): void {
  const plane = g.outHeight * g.outWidth;
  for (let p = 0; p < out.length; p++) out[p] = bias === null ? 0 : bias[Math.floor(p / plane) % g.outChannels];
  forEachTerm(g, (xi, wi, oi) => { out[oi] += w[wi] * x[xi]; });
  applyEpilogue(epilogue, out);
}

/** ∂L/∂x[xi] = Σ over the terms that read x[xi] of w · dy. */
export function conv2dBackwardData(g: Conv2dGeometry, dy: FloatArray, w: FloatArray, dx: FloatArray): void {
  dx.fill(0);
  forEachTerm(g, (xi, wi, oi) => { dx[xi] += w[wi] * dy[oi]; });
}

/** ∂L/∂w[wi] = Σ over every window (all batch entries, all positions) of x · dy: the shared weight's gradient is a sum. */
export function conv2dBackwardWeight(g: Conv2dGeometry, x: FloatArray, dy: FloatArray, dw: FloatArray): void {
  dw.fill(0);
  forEachTerm(g, (xi, wi, oi) => { dw[wi] += x[xi] * dy[oi]; });
}
