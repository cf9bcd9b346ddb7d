#!/usr/bin/env python3
"""Independent reference for src/engine/rng.cpp: Philox4x32-10 (Salmon et al., SC'11) and
the seed protocol of docs/seed-protocol.md, written from the paper, not from our C++.
Prints the values pinned in tests/engine/rng_test.cpp (RngGolden.*)."""
import math

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    c = list(ctr)
    k0, k1 = key
    for r in range(10):
        if r > 0:
            k0 = (k0 + W0) & MASK
            k1 = (k1 + W1) & MASK
        p0 = M0 * c[0]
        p1 = M1 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k0) & MASK, p1 & MASK, ((p0 >> 32) ^ c[3] ^ k1) & MASK, p0 & MASK]
    return c


def join(lo, hi):
    return lo | (hi << 32)


def repetition_key(master, rep):
    r = philox4x32_10([rep & MASK, rep >> 32, 0, 0x52455031], [master & MASK, master >> 32])
    return join(r[0], r[1])


def stream_key(rep_key, stream, entity):
    r = philox4x32_10([stream, entity, 0, 0x53545231], [rep_key & MASK, rep_key >> 32])
    return join(r[0], r[1])


# Ziggurat tables (Doornik 2005, "An improved ziggurat method to generate normal random
# samples", 128 layers), computed here with libm's exp and log.
ZIG_C, ZIG_R, ZIG_V = 128, 3.442619855899, 9.91256303526217e-3


def ziggurat_tables():
    x = [0.0] * (ZIG_C + 1)
    f = math.exp(-0.5 * ZIG_R * ZIG_R)
    x[0], x[1] = ZIG_V / f, ZIG_R
    for i in range(2, ZIG_C):
        x[i] = math.sqrt(-2.0 * math.log(ZIG_V / x[i - 1] + f))
        f = math.exp(-0.5 * x[i] * x[i])
    return x, [x[i + 1] / x[i] for i in range(ZIG_C)]


ZIG_X, ZIG_RATIO = ziggurat_tables()


class Stream:
    def __init__(self, key):
        self.key = key
        self.i = 0

    def u64(self):
        block, half = divmod(self.i, 2)
        self.i += 1
        r = philox4x32_10([block & MASK, block >> 32, 0, 0], [self.key & MASK, self.key >> 32])
        return join(r[0], r[1]) if half == 0 else join(r[2], r[3])

    def uniform(self):
        return (self.u64() >> 11) * 2.0**-53

    def uniform_open(self):
        return ((self.u64() >> 11) + 0.5) * 2.0**-53

    def normal(self):
        """Returns (value, path) with path "box", "tail" or "wedge" of the accepted sample."""
        while True:
            bits = self.u64()
            i = bits & (ZIG_C - 1)
            u = (bits >> 11) * 2.0**-52 - 1.0
            if abs(u) < ZIG_RATIO[i]:
                return u * ZIG_X[i], "box"
            if i == 0:
                while True:
                    x = math.log(self.uniform_open()) / ZIG_R
                    y = math.log(self.uniform_open())
                    if -2.0 * y >= x * x:
                        return (x - ZIG_R if u < 0.0 else ZIG_R - x), "tail"
            x = u * ZIG_X[i]
            f0 = math.exp(-0.5 * (ZIG_X[i] ** 2 - x * x))
            f1 = math.exp(-0.5 * (ZIG_X[i + 1] ** 2 - x * x))
            if f1 + self.uniform() * (f0 - f1) < 1.0:
                return x, "wedge"

    def exponential(self, rate):
        return -math.log(self.uniform_open()) / rate

    def poisson(self, lam):
        total = 0
        while lam > 0.0:
            chunk = min(lam, 16.0)
            lam -= chunk
            limit = math.exp(-chunk)
            prod = self.uniform_open()
            while prod > limit:
                total += 1
                prod *= self.uniform_open()
        return total

    def geometric(self, p):
        return math.floor(math.log(self.uniform_open()) / math.log1p(-p))


if __name__ == "__main__":
    rk = repetition_key(42, 7)
    print(f"repetition_key(42, 7) = 0x{rk:016x}")
    sk = stream_key(rk, 1, 0)
    print(f"stream_key(rk, latent, 0) = 0x{sk:016x}")
    s = Stream(sk)
    print("u64:", [f"0x{s.u64():016x}" for _ in range(3)])
    s = Stream(sk)
    print("uniform:", [repr(s.uniform()) for _ in range(3)])
    s = Stream(sk)
    print("normal:", [repr(s.normal()[0]) for _ in range(3)])
    # The first normal of each path and the stream's draw count after it.
    s = Stream(sk)
    seen = {}
    for k in range(100000):
        value, path = s.normal()
        if path not in seen:
            seen[path] = (k, value, s.i)
        if len(seen) == 3:
            break
    for path, (k, value, draws) in sorted(seen.items()):
        print(f"normal #{k} ({path}) = {value!r}, draws after = {draws}")
    s = Stream(sk)
    print("exponential(2):", [repr(s.exponential(2.0)) for _ in range(3)])
    s = Stream(sk)
    print("poisson(3.5):", [s.poisson(3.5) for _ in range(8)])
    s = Stream(sk)
    print("poisson(40):", [s.poisson(40.0) for _ in range(4)])
    s = Stream(sk)
    print("geometric(0.3):", [s.geometric(0.3) for _ in range(8)])
