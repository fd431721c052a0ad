/**
 * BD-rate (core/bd-rate.ts): exact cases, the overlap rule, refusals, and reference values.
 *
 * Reference values (no numpy/scipy here, so they are pinned to published numbers):
 *  - JCTVC-E137 curves and expected BD-rates from Netflix/vmaf `python/test/bd_rate_calculator_test.py`
 *    (class BDrateCalculatorJCTVCTest, and CalculateBdRateJCTVCTest in `calculate_bd_rate_test.py`):
 *    −0.00465215420752807 and −0.018779823450567612 (fractions), from Netflix's BDrateCalculator,
 *    a port of the JCT-VC CTC sheet's PCHIP with exact integration — the same method as ours.
 *    Also its `test_bd_rate_calculator_different` (99- vs 45-point VMAF curves): 0.08267113720900943.
 *  - Netflix/vmaf `python/test/calculate_bd_rate_test.py` (vmaf.tools.bd_rate.calculate_bd_rate):
 *    scipy's `pchip_interpolate` of ln(rate) over the metric, either sampled at one point of the
 *    overlap (`at_perc`) or integrated by the trapezoid rule on 100 samples. Re-running exactly that
 *    recipe on our interpolant reproduces scipy's numbers to 1e-12, so our derivative rule is
 *    scipy's `PchipInterpolator`'s, knot by knot.
 * Besides, the closed-form integral is checked against fine Simpson quadrature and the interpolant
 * against a second, independent Hermite-basis implementation on random curves.
 */
import { describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../../lambdas/contracts/index.js';
import { bdQuality, bdRate, pchip, rateSavingAtPoint, type RateQualityPoint } from '../../../lambdas/core/bd-rate.js';
import { prng } from '../../../bench/util.js';

const curve = (pairs: [number, number][]): RateQualityPoint[] => pairs.map(([kbps, quality]) => ({ kbps, quality }));
const scaled = (c: RateQualityPoint[], f: number) => c.map((p) => ({ kbps: p.kbps * f, quality: p.quality }));

/** A typical 5-rung ladder: kb/s → VMAF. */
const LADDER = curve([
  [400, 62.1],
  [900, 76.4],
  [1800, 86.9],
  [3000, 92.3],
  [5000, 95.8],
]);

describe('bdRate: exact cases', () => {
  it('identical curves give 0 %', () => {
    const r = bdRate(LADDER, LADDER);
    expect(r.bdRatePercent).toBe(0);
    expect(r.overlap).toEqual({ min: 62.1, max: 95.8 });
    expect(r.overlapFraction).toBe(1);
    expect(r.points).toEqual({ reference: 5, test: 5 });
  });

  it('half the bitrate at every point gives −50 %, double gives +100 %', () => {
    expect(Math.abs(bdRate(LADDER, scaled(LADDER, 0.5)).bdRatePercent - -50)).toBeLessThan(1e-9);
    expect(Math.abs(bdRate(LADDER, scaled(LADDER, 2)).bdRatePercent - 100)).toBeLessThan(1e-9);
    expect(Math.abs(bdRate(scaled(LADDER, 2), LADDER).bdRatePercent - -50)).toBeLessThan(1e-9);
    // and the point order does not matter
    expect(Math.abs(bdRate([...LADDER].reverse(), scaled(LADDER, 0.5).reverse()).bdRatePercent - -50)).toBeLessThan(1e-9);
  });

  it('a partial overlap integrates the common quality range only', () => {
    // Two-point curves are straight lines in (quality, log10 rate), so the answer is analytic:
    // on [40, 50] the test/reference rate ratio goes from 1000/2000 to 1414.2/4000, i.e. log10
    // ratio from −1·log10 2 to −1.5·log10 2 linearly: mean −1.25·log10 2 → 2^−1.25 − 1.
    const ref = curve([[1000, 30], [4000, 50]]);
    const test = curve([[1000, 40], [2000, 60]]);
    const r = bdRate(ref, test);
    expect(r.overlap).toEqual({ min: 40, max: 50 });
    expect(r.overlapFraction).toBeCloseTo(1 / 3, 12);
    expect(r.bdRatePercent).toBeCloseTo((2 ** -1.25 - 1) * 100, 9);
    // 4-point curves: the answer is the mean difference of the two interpolants over [75, 88]
    // only; integrating over the union [60, 95] (extrapolating both) would give another number
    const ref4 = curve([[800, 60], [1500, 70], [2600, 80], [4000, 88]]);
    const test4 = curve([[900, 75], [1300, 80], [2000, 86], [3500, 95]]);
    const r4 = bdRate(ref4, test4);
    expect(r4.overlap).toEqual({ min: 75, max: 88 });
    const fr = pchip(ref4.map((p) => p.quality), ref4.map((p) => Math.log10(p.kbps)));
    const ft = pchip(test4.map((p) => p.quality), test4.map((p) => Math.log10(p.kbps)));
    const overOverlap = (ft.integrate(75, 88) - fr.integrate(75, 88)) / 13;
    const overUnion = (ft.integrate(60, 95) - fr.integrate(60, 95)) / 35;
    expect(r4.meanLog10RateDelta).toBeCloseTo(overOverlap, 12);
    expect(r4.bdRatePercent).toBeCloseTo((10 ** overOverlap - 1) * 100, 9);
    expect(Math.abs(overUnion - overOverlap)).toBeGreaterThan(0.01);
    expect(r4.overlapFraction).toBeCloseTo(13 / 35, 12);
  });

  it('works with 2 and 3 points per curve, and with curves of different lengths', () => {
    const two = curve([[500, 70], [2000, 90]]);
    expect(bdRate(two, scaled(two, 0.8)).bdRatePercent).toBeCloseTo(-20, 9);
    const three = curve([[500, 70], [1000, 82], [2000, 90]]);
    expect(bdRate(three, scaled(three, 1.25)).bdRatePercent).toBeCloseTo(25, 9);
    expect(Number.isFinite(bdRate(LADDER, three).bdRatePercent)).toBe(true);
  });
});

describe('bdRate: refusals (InputInvalidError)', () => {
  const refuses = (fn: () => unknown, message: RegExp) => {
    expect(fn).toThrow(InputInvalidError);
    expect(fn).toThrow(message);
  };
  it('fewer than two points', () => {
    refuses(() => bdRate(curve([[1000, 80]]), LADDER), /reference curve has 1 point\(s\); at least 2/);
    refuses(() => bdRate(LADDER, []), /test curve has 0 point/);
  });
  it('curves that do not overlap, or only touch', () => {
    refuses(() => bdRate(curve([[100, 10], [200, 20]]), curve([[300, 30], [400, 40]])), /do not overlap in quality/);
    refuses(() => bdRate(curve([[100, 10], [200, 20]]), curve([[300, 20], [400, 40]])), /do not overlap/);
  });
  it('non-increasing data once sorted by quality', () => {
    // more bits, lower quality
    refuses(() => bdRate(curve([[1000, 80], [2000, 78], [3000, 90]]), LADDER), /reference curve is not increasing/);
    // same quality twice
    refuses(() => bdRate(LADDER, curve([[1000, 80], [2000, 80], [3000, 90]])), /test curve is not increasing/);
    // same bitrate twice
    refuses(() => bdRate(LADDER, curve([[1000, 80], [1000, 85]])), /not increasing/);
  });
  it('non-finite or non-positive numbers', () => {
    refuses(() => bdRate(curve([[0, 70], [1000, 80]]), LADDER), /bitrates must be finite and positive/);
    refuses(() => bdRate(curve([[-5, 70], [1000, 80]]), LADDER), /finite and positive/);
    refuses(() => bdRate(curve([[500, Number.NaN], [1000, 80]]), LADDER), /qualities must be finite/);
    refuses(() => bdRate(curve([[Number.POSITIVE_INFINITY, 70], [1000, 80]]), LADDER), /finite and positive/);
  });
});

describe('bdQuality (BD-PSNR style)', () => {
  it('identical gives 0; +2 everywhere gives +2; half rate on a log-linear curve gives the slope × log10 2', () => {
    expect(bdQuality(LADDER, LADDER).bdQuality).toBe(0);
    const better = LADDER.map((p) => ({ ...p, quality: p.quality + 2 }));
    expect(bdQuality(LADDER, better).bdQuality).toBeCloseTo(2, 12);
    // quality = 10·log10(kbps): half the rate buys the same quality, i.e. +10·log10 2 at equal rate
    const line = curve([[100, 20], [1000, 30], [10000, 40]]);
    const r = bdQuality(line, scaled(line, 0.5));
    expect(r.bdQuality).toBeCloseTo(10 * Math.log10(2), 12);
    expect(r.overlap.minKbps).toBeCloseTo(100, 9);
    expect(r.overlap.maxKbps).toBeCloseTo(5000, 9);
  });
  it('refuses curves that do not overlap in bitrate', () => {
    expect(() => bdQuality(curve([[100, 10], [200, 20]]), curve([[300, 30], [400, 40]]))).toThrow(/do not overlap in bitrate/);
  });
});

describe('reference values', () => {
  // JCTVC-E137, via Netflix/vmaf python/test/bd_rate_calculator_test.py (expected values are fractions)
  const E137_1 = {
    anchor: curve([[108048.8736, 43.6471], [61279.976, 40.3953], [33905.6656, 37.247], [18883.6928, 34.2911]]),
    test: curve([[108061.2784, 43.6768], [61299.9936, 40.4232], [33928.7472, 37.2761], [18910.912, 34.3147]]),
    expected: -0.00465215420752807,
  };
  const E137_2 = {
    anchor: curve([[40433.8848, 37.5761], [7622.7456, 35.3756], [2394.488, 33.8977], [1017.6184, 32.0603]]),
    test: curve([[40370.12, 37.5982], [7587.0024, 35.4025], [2390.0944, 33.9194], [1017.0984, 32.0822]]),
    expected: -0.018779823450567612,
  };

  it('JCTVC-E137 cases 1 and 2 (4 points each, PSNR) match the JCT-VC sheet method to 1e-9 %', () => {
    for (const c of [E137_1, E137_2]) {
      expect(Math.abs(bdRate(c.anchor, c.test).bdRatePercent - c.expected * 100)).toBeLessThan(1e-9);
    }
  });

  it('Netflix 99- vs 45-point VMAF curves (test_bd_rate_calculator_different): 8.267113720900943 %', () => {
    const r = bdRate(curve(NETFLIX_SET_A), curve(NETFLIX_SET_B));
    expect(Math.abs(r.bdRatePercent - 0.08267113720900943 * 100)).toBeLessThan(1e-9);
    expect(r.overlap).toEqual({ min: 28.61330510632344, max: 81.04617807078903 });
  });

  /** vmaf.tools.bd_rate.calculate_bd_rate's recipe (scipy pchip_interpolate on ln rate, trapezoid on 100 samples or one point) on our interpolant. */
  function netflixSampled(a: [number, number][], b: [number, number][], atPerc?: number): number {
    const sorted = (s: [number, number][]) => [...s].sort((p, q) => p[1] - q[1]);
    const [sa, sb] = [sorted(a), sorted(b)];
    const fa = pchip(sa.map((p) => p[1]), sa.map((p) => Math.log(p[0])));
    const fb = pchip(sb.map((p) => p[1]), sb.map((p) => Math.log(p[0])));
    const min = Math.max(sa[0][1], sb[0][1]);
    const max = Math.min(sa[sa.length - 1][1], sb[sb.length - 1][1]);
    if (atPerc !== undefined) {
      const x = min + ((max - min) * atPerc) / 100;
      return Math.exp(fb.evaluate(x) - fa.evaluate(x)) - 1;
    }
    const n = 100;
    const dx = (max - min) / (n - 1);
    let diff = 0;
    for (let i = 0; i < n; i++) {
      const x = i === n - 1 ? max : min + i * dx; // numpy.linspace ends exactly on max
      diff += (i === 0 || i === n - 1 ? 0.5 : 1) * (fb.evaluate(x) - fa.evaluate(x));
    }
    return Math.exp((diff * dx) / (max - min)) - 1;
  }

  it('scipy PchipInterpolator values, through Netflix calculate_bd_rate_test.py (at_perc and trapezoid), to 1e-12', () => {
    const plus100 = NETFLIX_SET_A.map(([r, m]): [number, number] => [r + 100, m]);
    const minus10 = NETFLIX_SET_A.map(([r, m]): [number, number] => [r - 10, m]);
    const cases: [number, number][] = [
      // test_calculate_bd_rate_different
      [netflixSampled(NETFLIX_SET_A, NETFLIX_SET_B), 0.0828609163164793],
      [netflixSampled(NETFLIX_SET_A, NETFLIX_SET_B, 100), 0.38396884941389553],
      [netflixSampled(NETFLIX_SET_A, NETFLIX_SET_B, 50), 0.03800171560649668],
      [netflixSampled(NETFLIX_SET_A, NETFLIX_SET_B, 0), 0.23201845983320446],
      // test_calculate_bd_rate_constant (rate + 100)
      [netflixSampled(NETFLIX_SET_A, plus100), 0.8570879677536116],
      [netflixSampled(NETFLIX_SET_A, plus100, 50), 0.7545138350290654],
      // test_calculate_bd_rate_constant2 (rate − 10)
      [netflixSampled(NETFLIX_SET_A, minus10), -0.10612811471545303],
      [netflixSampled(NETFLIX_SET_A, minus10, 50), -0.07545138577059218],
    ];
    for (const [ours, scipy] of cases) expect(Math.abs(ours - scipy)).toBeLessThan(1e-12);
  });
});

describe('pchip interpolant', () => {

  /**
   * A second implementation, written from Fritsch & Carlson (1980) / Moler's `pchip.m` in the
   * Hermite-basis form (h00, h10, h01, h11) instead of the power form used in core.
   */
  function referencePchip(x: number[], y: number[]): (t: number) => number {
    const n = x.length;
    const h = x.slice(1).map((v, i) => v - x[i]);
    const del = h.map((hk, k) => (y[k + 1] - y[k]) / hk);
    const d = new Array<number>(n).fill(0);
    const end = (h0: number, h1: number, d0: number, d1: number) => {
      let s = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
      if (Math.sign(s) !== Math.sign(d0)) s = 0;
      else if (Math.sign(d0) !== Math.sign(d1) && Math.abs(s) > Math.abs(3 * d0)) s = 3 * d0;
      return s;
    };
    if (n === 2) d.fill(del[0]);
    else {
      for (let k = 1; k < n - 1; k++) {
        if (del[k - 1] * del[k] > 0) d[k] = (3 * (h[k - 1] + h[k])) / ((2 * h[k] + h[k - 1]) / del[k - 1] + (h[k] + 2 * h[k - 1]) / del[k]);
      }
      d[0] = end(h[0], h[1], del[0], del[1]);
      d[n - 1] = end(h[n - 2], h[n - 3], del[n - 2], del[n - 3]);
    }
    return (t) => {
      let k = 0;
      while (k < n - 2 && t >= x[k + 1]) k++;
      const s = (t - x[k]) / h[k];
      const h00 = 2 * s ** 3 - 3 * s ** 2 + 1;
      const h10 = s ** 3 - 2 * s ** 2 + s;
      const h01 = -2 * s ** 3 + 3 * s ** 2;
      const h11 = s ** 3 - s ** 2;
      return h00 * y[k] + h10 * h[k] * d[k] + h01 * y[k + 1] + h11 * h[k] * d[k + 1];
    };
  }

  function randomCurve(rand: () => number, n: number, monotone: boolean): { x: number[]; y: number[] } {
    const x = [rand() * 10];
    const y = [rand() * 5];
    for (let i = 1; i < n; i++) {
      x.push(x[i - 1] + 0.1 + rand() * 5);
      y.push(monotone ? y[i - 1] + rand() * rand() * 3 : rand() * 5);
    }
    return { x, y };
  }

  it('agrees with an independent implementation on random curves (monotone and not), and passes through every knot', () => {
    const rand = prng(15);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + Math.floor(rand() * 9);
      const { x, y } = randomCurve(rand, n, trial % 2 === 0);
      const ours = pchip(x, y);
      const theirs = referencePchip(x, y);
      x.forEach((xi, i) => expect(Math.abs(ours.evaluate(xi) - y[i])).toBeLessThan(1e-9));
      for (let j = 0; j <= 50; j++) {
        const t = x[0] + ((x[n - 1] - x[0]) * j) / 50;
        expect(Math.abs(ours.evaluate(t) - theirs(t))).toBeLessThan(1e-9);
      }
    }
  });

  it('is monotone on monotone data (no overshoot between knots)', () => {
    const rand = prng(4);
    for (let trial = 0; trial < 100; trial++) {
      const { x, y } = randomCurve(rand, 3 + Math.floor(rand() * 6), true);
      const f = pchip(x, y);
      let prev = -Infinity;
      for (let j = 0; j <= 400; j++) {
        const v = f.evaluate(x[0] + ((x[x.length - 1] - x[0]) * j) / 400);
        expect(v).toBeGreaterThanOrEqual(prev - 1e-12);
        prev = v;
      }
    }
  });

  it('integrates exactly: closed form equals fine Simpson quadrature on sub-ranges', () => {
    const rand = prng(7);
    for (let trial = 0; trial < 50; trial++) {
      const { x, y } = randomCurve(rand, 2 + Math.floor(rand() * 8), trial % 2 === 0);
      const f = pchip(x, y);
      const span = x[x.length - 1] - x[0];
      const a = x[0] + rand() * span * 0.5;
      const b = a + rand() * (x[x.length - 1] - a);
      // Simpson is exact per cubic piece; many panels make the knot-straddling error negligible
      const panels = 20000;
      const step = (b - a) / panels;
      let s = f.evaluate(a) + f.evaluate(b);
      for (let i = 1; i < panels; i++) s += (i % 2 ? 4 : 2) * f.evaluate(a + i * step);
      expect(Math.abs(f.integrate(a, b) - (s * step) / 3)).toBeLessThan(1e-7 * Math.max(1, Math.abs(s * step)));
      expect(f.integrate(b, a)).toBeCloseTo(-f.integrate(a, b), 12);
    }
  });

  it('refuses x that does not strictly increase', () => {
    expect(() => pchip([1, 1, 2], [0, 1, 2])).toThrow(InputInvalidError);
    expect(() => pchip([1], [0])).toThrow(InputInvalidError);
  });
});

// Netflix/vmaf python/test/bd_rate_calculator_test.py and calculate_bd_rate_test.py: set_a (bitrate, VMAF)
const NETFLIX_SET_A: [number, number][] = [
  [35.99646889759373, 21.955645250419696],
  [37.99471487409067, 25.51236452853944],
  [39.970621712367105, 28.044365039171787],
  [42.346972697257975, 30.479270893956333],
  [44.7457131337437, 32.55129509653048],
  [47.154365304980416, 34.35170492445439],
  [49.85285605484052, 36.159880512031336],
  [52.668811762730826, 37.817858687744824],
  [55.623246648013435, 39.4236739227756],
  [58.709821225517615, 40.97726075825405],
  [61.95339030218243, 42.47586071628426],
  [65.39086712367096, 43.94792672076104],
  [69.07053575825405, 45.38187315332959],
  [72.92296374930051, 46.7512838066592],
  [77.04220356463348, 48.12043552042529],
  [81.27714736989365, 49.42854125629547],
  [85.80023587017347, 50.72125632344712],
  [90.70151323447116, 52.02140726776721],
  [95.61377568550643, 53.247009597090084],
  [101.18490854504753, 54.54781877448235],
  [106.70571125909345, 55.77207227895914],
  [112.80107593732511, 57.05675384023505],
  [118.71002956351424, 58.22286424174595],
  [125.49624718522664, 59.4644650601567],
  [132.55080280358143, 60.67429805540012],
  [140.1958864969222, 61.90510035674314],
  [147.88641993844433, 63.041928063794046],
  [156.33494113598206, 64.22106624930048],
  [164.76788195858984, 65.33567544767766],
  [173.94668501398993, 66.48116736149971],
  [184.07738357022944, 67.64570549104643],
  [194.3000549748181, 68.7236593242865],
  [205.02014116955786, 69.79909077364297],
  [216.48558646334627, 70.86179997202017],
  [228.6963740850587, 71.91020905148292],
  [241.1654202574147, 72.91811104504754],
  [254.97357365976498, 73.96942905008393],
  [269.34394547845557, 74.9730472439843],
  [284.15034977056513, 75.93786445159483],
  [300.33591073866813, 76.91376459149411],
  [317.0971573363177, 77.86057887520982],
  [334.6360977616115, 78.78165542809175],
  [353.52509696138776, 79.69565129406824],
  [373.29134338556247, 80.57908869613874],
  [393.9552307218803, 81.44409020705092],
  [415.95752090095135, 82.30904120733068],
  [438.74847322327906, 83.13002760212642],
  [463.7617672915498, 83.97161655008395],
  [490.0063805707889, 84.77690864577501],
  [516.9553140067148, 85.5381991116396],
  [544.9439733240066, 86.28044596390599],
  [576.3607511751537, 87.049304036094],
  [607.7912813486286, 87.75004198377168],
  [642.9993396698372, 88.46859445998881],
  [678.4288774650249, 89.13938649272522],
  [716.0146116899828, 89.79232830861778],
  [757.1422397593731, 90.43804418019025],
  [799.5379996586456, 91.04304998601005],
  [843.7057127476214, 91.61936168158924],
  [891.0241835086737, 92.18129753777283],
  [941.0654296082818, 92.7274914871293],
  [992.0100858869608, 93.22531138080583],
  [1049.361345377728, 93.72490778539446],
  [1106.0225737101287, 94.16627750419697],
  [1169.031521835478, 94.61364252937885],
  [1234.2873478623392, 95.02554775461667],
  [1303.8650088919974, 95.42153838836039],
  [1377.1698176105203, 95.788557491606],
  [1453.2463230386118, 96.12595161583663],
  [1532.4943320201453, 96.43917551762732],
  [1621.3588033296023, 96.747294998601],
  [1705.825332271964, 97.00223929071069],
  [1807.3925386066035, 97.27276210128707],
  [1908.5000484107447, 97.50972255875773],
  [2014.398598975937, 97.72906203133745],
  [2127.9466272691657, 97.92876842473417],
  [2245.784021667598, 98.10873614297704],
  [2371.8831237045324, 98.2783919418019],
  [2505.2980083995526, 98.43403286233912],
  [2644.597092540571, 98.57010871572473],
  [2790.9417932904316, 98.69238183407946],
  [2948.672410660327, 98.80515458869611],
  [3107.1893589871306, 98.90337104085056],
  [3288.155564739787, 98.99696463346388],
  [3470.8710826636825, 99.07321914521543],
  [3665.2945898880803, 99.14012702853941],
  [3869.5733634862895, 99.19701270285395],
  [4071.5218731505315, 99.24300500839394],
  [4311.484267084497, 99.28674711807501],
  [4558.244802909904, 99.31946469641859],
  [4806.482321382206, 99.34378444320092],
  [5079.722132064913, 99.36144804141017],
  [5361.911769636264, 99.37290286793508],
  [5665.047368091774, 99.38022224398433],
  [5973.631636653609, 99.38404458589815],
  [6315.611591936206, 99.38606273782877],
  [6667.651857364297, 99.3870162283156],
  [7037.4516035086735, 99.3875896334639],
  [7434.023280637938, 99.38792124370454],
];
// the same files: set_b of test_bd_rate_calculator_different / test_calculate_bd_rate_different
const NETFLIX_SET_B: [number, number][] = [
  [49.87328328483493, 28.61330510632344],
  [52.38326659205375, 32.39771999160604],
  [55.48787012870734, 35.43877945579183],
  [58.73340142697256, 37.81863505176273],
  [61.38781766088415, 39.45287702853945],
  [65.24973810856183, 41.51289594991606],
  [68.91803592053719, 43.25002306939003],
  [72.90461613878006, 44.95657251678791],
  [76.50681894795746, 46.343293172915494],
  [81.22743775601566, 48.06086461947399],
  [85.8963679574706, 49.55961627728036],
  [90.6221019585898, 50.90070572887522],
  [95.65390898712923, 52.23381047146056],
  [101.13434360380525, 53.61339359960829],
  [106.40240546726353, 54.8475233841634],
  [112.42335666480132, 56.18486674594291],
  [118.79365039171795, 57.459968270844996],
  [125.05231551203133, 58.63419768466705],
  [132.43335461667598, 59.89586900531618],
  [139.88996440962507, 61.0835185996083],
  [146.16949280917734, 62.04168247761612],
  [155.7417632232793, 63.3899363878008],
  [163.313640956911, 64.36612914101849],
  [173.5439432232792, 65.58913973139342],
  [182.53828067711245, 66.58945198656969],
  [193.15859545047564, 67.70600593172915],
  [204.38533732512593, 68.81500302182431],
  [215.95536735310577, 69.90734120033578],
  [227.63617066032455, 70.90756786513711],
  [241.31498514829323, 71.9597451385003],
  [253.7268753273643, 72.82036908925575],
  [267.2595965472859, 73.70446921516509],
  [283.9250800223839, 74.66681882344713],
  [294.27475915500827, 75.23454667039732],
  [316.458982495803, 76.38518377867935],
  [334.1048723838837, 77.20506813094572],
  [352.4061945998881, 77.96106693480695],
  [369.71439789031893, 78.57269429910465],
  [388.71730656966986, 79.09373393956353],
  [416.22584212646893, 79.73839594292109],
  [431.8296127756015, 80.04573062395076],
  [456.8111591046446, 80.4380911723559],
  [489.9550944711808, 80.81746619334079],
  [505.8411566927812, 80.9060061345831],
  [531.839469233352, 81.04617807078903],
];

describe('rateSavingAtPoint (a ladder of one rung)', () => {
  const curve = [
    { kbps: 100, quality: 30 },
    { kbps: 200, quality: 35 },
    { kbps: 400, quality: 40 },
  ];
  it('a single reference rung on the test curve at half its bitrate gives −50 %; on it, 0 %', () => {
    expect(rateSavingAtPoint([{ kbps: 400, quality: 35 }], curve)!.percent).toBeCloseTo(-50, 9);
    expect(rateSavingAtPoint([{ kbps: 200, quality: 35 }], curve)!.percent).toBeCloseTo(0, 9);
  });
  it('a single test rung is priced against the reference curve', () => {
    expect(rateSavingAtPoint(curve, [{ kbps: 300, quality: 35 }])!.percent).toBeCloseTo(50, 9);
  });
  it('no figure outside the other curve, and a refusal when neither curve is one point', () => {
    expect(rateSavingAtPoint([{ kbps: 50, quality: 25 }], curve)).toBeNull();
    expect(() => rateSavingAtPoint(curve, curve)).toThrow(/exactly one point/);
  });
});
