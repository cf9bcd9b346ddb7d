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
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                return u * math.sqrt(-2.0 * math.log(s) / s)

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
    print("normal:", [repr(s.normal()) for _ in range(3)])
    s = Stream(sk)
    print("exponential(2):", [repr(s.exponential(2.0)) for _ in range(3)])
    s = Stream(sk)
    print("poisson(3.5):", [s.poisson(3.5) for _ in range(8)])
    s = Stream(sk)
    print("poisson(40):", [s.poisson(40.0) for _ in range(4)])
    s = Stream(sk)
    print("geometric(0.3):", [s.geometric(0.3) for _ in range(8)])
