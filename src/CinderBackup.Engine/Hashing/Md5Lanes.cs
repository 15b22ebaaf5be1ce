using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CinderBackup.Engine.Hashing;

/// <summary>
/// MD5 of up to 16 objects at once, one per lane of a vector register (AVX-512: 16 lanes; AVX2: 8). MD5 is a
/// chain of dependent steps, so one stream cannot go faster than about 0.75 GB/s per core; independent streams
/// side by side fill the vector units instead (measured here: about 4 GB/s per core with 16 lanes). Cinder's
/// format wants the MD5 of every object, so this is the largest single saving in backups, restores and verify.
/// Lanes that have less data than others simply stop; a partial last block goes through <see cref="Md5Digest"/>.
/// </summary>
internal static unsafe class Md5Lanes
{
    private static readonly byte[] ZeroBlock = GC.AllocateArray<byte>(Md5Digest.BlockSize, pinned: true);

    /// <summary>Lanes the hardware offers: 16, 8, or 1 (no vector unit: one object at a time).</summary>
    public static int HardwareWidth => Avx512F.IsSupported && Avx512F.VL.IsSupported ? 16 : Avx2.IsSupported ? 8 : 1;

    /// <summary>Tests force the narrower engines, so each is checked on any machine that runs the wider one.</summary>
    internal static int? ForcedWidth { get; set; }

    public static int Width => ForcedWidth ?? HardwareWidth;

    /// <summary>Hashes <paramref name="pieces"/>[i] into <paramref name="digests"/>[i], as many lanes at a time as the hardware has.</summary>
    public static void Update(IReadOnlyList<Md5Digest> digests, IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        var width = Width;
        var wide = new List<int>(digests.Count);
        var pointers = stackalloc byte*[16];
        var blocks = stackalloc int[16];
        var states = stackalloc uint[4 * 16];
        for (var i = 0; i < digests.Count; i++)
        {
            // Whole blocks of lanes without a partial block pending go through the vector engine.
            if (width > 1 && digests[i].TailLength == 0 && pieces[i].Length >= Md5Digest.BlockSize)
            {
                wide.Add(i);
            }
            else
            {
                digests[i].Append(pieces[i].Span);
            }
        }
        for (var start = 0; start < wide.Count; start += width)
        {
            var group = wide.GetRange(start, Math.Min(width, wide.Count - start));
            if (group.Count == 1)
            {
                digests[group[0]].Append(pieces[group[0]].Span);
                continue;
            }
            var handles = new MemoryHandle[group.Count];
            try
            {
                for (var l = 0; l < 16; l++)
                {
                    var used = l < group.Count;
                    var d = used ? digests[group[l]] : null;
                    if (used)
                    {
                        handles[l] = pieces[group[l]].Pin();
                        pointers[l] = (byte*)handles[l].Pointer;
                        blocks[l] = pieces[group[l]].Length / Md5Digest.BlockSize;
                    }
                    else
                    {
                        blocks[l] = 0;
                    }
                    states[l] = d?.A ?? 0;
                    states[16 + l] = d?.B ?? 0;
                    states[32 + l] = d?.C ?? 0;
                    states[48 + l] = d?.D ?? 0;
                }
                if (width == 16)
                {
                    Run16(pointers, blocks, states);
                }
                else
                {
                    Run8(pointers, blocks, states);
                }
                for (var l = 0; l < group.Count; l++)
                {
                    var d = digests[group[l]];
                    (d.A, d.B, d.C, d.D) = (states[l], states[16 + l], states[32 + l], states[48 + l]);
                    var done = blocks[l] * Md5Digest.BlockSize;
                    d.Length += done;
                    d.Append(pieces[group[l]].Span[done..]);
                }
            }
            finally
            {
                foreach (var h in handles)
                {
                    h.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// Runs the lanes in segments over which the set of lanes with data does not change; lanes without data
    /// read a zero block and keep their state (blend). This and the block functions are compiled optimized at
    /// once: with tiering, a profile of the benchmark's first sparse backup (after its warm-up) found them still
    /// quick-jitted, and that round took 1.18-1.21 s against 1.03-1.11 s with this attribute.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run16(byte** pointers, int* blocks, uint* states)
    {
        var a = Vector512.Load(states);
        var b = Vector512.Load(states + 16);
        var c = Vector512.Load(states + 32);
        var d = Vector512.Load(states + 48);
        var done = 0;
        var lanes = stackalloc byte*[16];
        var strides = stackalloc int[16];
        var mask = stackalloc uint[16];
        fixed (byte* zero = ZeroBlock)
        {
            for (int next; (next = Segment(16, done, pointers, blocks, zero, lanes, strides, mask)) > done; done = next)
            {
                var keep = Vector512.Load(mask);
                var all = Vector512.EqualsAll(keep, Vector512<uint>.AllBitsSet);
                for (var blk = done; blk < next; blk++)
                {
                    var (a0, b0, c0, d0) = (a, b, c, d);
                    Block16(ref a, ref b, ref c, ref d, lanes);
                    if (!all)
                    {
                        a = Vector512.ConditionalSelect(keep, a, a0);
                        b = Vector512.ConditionalSelect(keep, b, b0);
                        c = Vector512.ConditionalSelect(keep, c, c0);
                        d = Vector512.ConditionalSelect(keep, d, d0);
                    }
                    for (var l = 0; l < 16; l++)
                    {
                        lanes[l] += strides[l];
                    }
                }
            }
        }
        a.Store(states);
        b.Store(states + 16);
        c.Store(states + 32);
        d.Store(states + 48);
    }

    /// <summary>
    /// Sets up the next segment after block <paramref name="done"/>: each lane's position (lanes without more data
    /// read the zero block and do not move), the mask of lanes with data, and returns the block where the segment
    /// ends (the shortest lane's end), or <paramref name="done"/> when no lane has data left.
    /// </summary>
    private static int Segment(int width, int done, byte** pointers, int* blocks, byte* zero, byte** lanes, int* strides, uint* mask)
    {
        var next = int.MaxValue;
        for (var l = 0; l < width; l++)
        {
            var active = blocks[l] > done;
            lanes[l] = active ? pointers[l] + (long)done * Md5Digest.BlockSize : zero;
            strides[l] = active ? Md5Digest.BlockSize : 0;
            mask[l] = active ? uint.MaxValue : 0;
            if (active)
            {
                next = Math.Min(next, blocks[l]);
            }
        }
        return next == int.MaxValue ? done : next;
    }

    /// <summary>One block of each of 16 lanes: rows are transposed into the message words, then the 64 steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block16(ref Vector512<uint> ra, ref Vector512<uint> rb, ref Vector512<uint> rc, ref Vector512<uint> rd, byte** lanes)
    {
        // Transpose 16 rows of 16 words: 32-bit and 64-bit interleaves within 128-bit parts, then 128-bit parts.
        Vector512<uint> w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15;
        {
            var r0 = Vector512.Load((uint*)lanes[0]); var r1 = Vector512.Load((uint*)lanes[1]);
            var r2 = Vector512.Load((uint*)lanes[2]); var r3 = Vector512.Load((uint*)lanes[3]);
            var r4 = Vector512.Load((uint*)lanes[4]); var r5 = Vector512.Load((uint*)lanes[5]);
            var r6 = Vector512.Load((uint*)lanes[6]); var r7 = Vector512.Load((uint*)lanes[7]);
            var r8 = Vector512.Load((uint*)lanes[8]); var r9 = Vector512.Load((uint*)lanes[9]);
            var r10 = Vector512.Load((uint*)lanes[10]); var r11 = Vector512.Load((uint*)lanes[11]);
            var r12 = Vector512.Load((uint*)lanes[12]); var r13 = Vector512.Load((uint*)lanes[13]);
            var r14 = Vector512.Load((uint*)lanes[14]); var r15 = Vector512.Load((uint*)lanes[15]);
            Quad(r0, r1, r2, r3, out var q00, out var q01, out var q02, out var q03);
            Quad(r4, r5, r6, r7, out var q10, out var q11, out var q12, out var q13);
            Quad(r8, r9, r10, r11, out var q20, out var q21, out var q22, out var q23);
            Quad(r12, r13, r14, r15, out var q30, out var q31, out var q32, out var q33);
            Parts(q00, q10, q20, q30, out w0, out w4, out w8, out w12);
            Parts(q01, q11, q21, q31, out w1, out w5, out w9, out w13);
            Parts(q02, q12, q22, q32, out w2, out w6, out w10, out w14);
            Parts(q03, q13, q23, q33, out w3, out w7, out w11, out w15);
        }
        var a = ra;
        var b = rb;
        var c = rc;
        var d = rd;
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0xCA) + a + Vector512.Create(0xd76aa478u) + w0, 7);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0xCA) + d + Vector512.Create(0xe8c7b756u) + w1, 12);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0xCA) + c + Vector512.Create(0x242070dbu) + w2, 17);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0xCA) + b + Vector512.Create(0xc1bdceeeu) + w3, 22);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0xCA) + a + Vector512.Create(0xf57c0fafu) + w4, 7);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0xCA) + d + Vector512.Create(0x4787c62au) + w5, 12);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0xCA) + c + Vector512.Create(0xa8304613u) + w6, 17);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0xCA) + b + Vector512.Create(0xfd469501u) + w7, 22);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0xCA) + a + Vector512.Create(0x698098d8u) + w8, 7);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0xCA) + d + Vector512.Create(0x8b44f7afu) + w9, 12);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0xCA) + c + Vector512.Create(0xffff5bb1u) + w10, 17);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0xCA) + b + Vector512.Create(0x895cd7beu) + w11, 22);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0xCA) + a + Vector512.Create(0x6b901122u) + w12, 7);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0xCA) + d + Vector512.Create(0xfd987193u) + w13, 12);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0xCA) + c + Vector512.Create(0xa679438eu) + w14, 17);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0xCA) + b + Vector512.Create(0x49b40821u) + w15, 22);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, b, c, 0xCA) + a + Vector512.Create(0xf61e2562u) + w1, 5);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, a, b, 0xCA) + d + Vector512.Create(0xc040b340u) + w6, 9);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, d, a, 0xCA) + c + Vector512.Create(0x265e5a51u) + w11, 14);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, c, d, 0xCA) + b + Vector512.Create(0xe9b6c7aau) + w0, 20);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, b, c, 0xCA) + a + Vector512.Create(0xd62f105du) + w5, 5);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, a, b, 0xCA) + d + Vector512.Create(0x02441453u) + w10, 9);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, d, a, 0xCA) + c + Vector512.Create(0xd8a1e681u) + w15, 14);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, c, d, 0xCA) + b + Vector512.Create(0xe7d3fbc8u) + w4, 20);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, b, c, 0xCA) + a + Vector512.Create(0x21e1cde6u) + w9, 5);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, a, b, 0xCA) + d + Vector512.Create(0xc33707d6u) + w14, 9);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, d, a, 0xCA) + c + Vector512.Create(0xf4d50d87u) + w3, 14);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, c, d, 0xCA) + b + Vector512.Create(0x455a14edu) + w8, 20);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, b, c, 0xCA) + a + Vector512.Create(0xa9e3e905u) + w13, 5);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, a, b, 0xCA) + d + Vector512.Create(0xfcefa3f8u) + w2, 9);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, d, a, 0xCA) + c + Vector512.Create(0x676f02d9u) + w7, 14);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, c, d, 0xCA) + b + Vector512.Create(0x8d2a4c8au) + w12, 20);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x96) + a + Vector512.Create(0xfffa3942u) + w5, 4);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x96) + d + Vector512.Create(0x8771f681u) + w8, 11);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x96) + c + Vector512.Create(0x6d9d6122u) + w11, 16);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x96) + b + Vector512.Create(0xfde5380cu) + w14, 23);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x96) + a + Vector512.Create(0xa4beea44u) + w1, 4);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x96) + d + Vector512.Create(0x4bdecfa9u) + w4, 11);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x96) + c + Vector512.Create(0xf6bb4b60u) + w7, 16);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x96) + b + Vector512.Create(0xbebfbc70u) + w10, 23);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x96) + a + Vector512.Create(0x289b7ec6u) + w13, 4);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x96) + d + Vector512.Create(0xeaa127fau) + w0, 11);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x96) + c + Vector512.Create(0xd4ef3085u) + w3, 16);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x96) + b + Vector512.Create(0x04881d05u) + w6, 23);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x96) + a + Vector512.Create(0xd9d4d039u) + w9, 4);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x96) + d + Vector512.Create(0xe6db99e5u) + w12, 11);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x96) + c + Vector512.Create(0x1fa27cf8u) + w15, 16);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x96) + b + Vector512.Create(0xc4ac5665u) + w2, 23);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x39) + a + Vector512.Create(0xf4292244u) + w0, 6);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x39) + d + Vector512.Create(0x432aff97u) + w7, 10);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x39) + c + Vector512.Create(0xab9423a7u) + w14, 15);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x39) + b + Vector512.Create(0xfc93a039u) + w5, 21);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x39) + a + Vector512.Create(0x655b59c3u) + w12, 6);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x39) + d + Vector512.Create(0x8f0ccc92u) + w3, 10);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x39) + c + Vector512.Create(0xffeff47du) + w10, 15);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x39) + b + Vector512.Create(0x85845dd1u) + w1, 21);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x39) + a + Vector512.Create(0x6fa87e4fu) + w8, 6);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x39) + d + Vector512.Create(0xfe2ce6e0u) + w15, 10);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x39) + c + Vector512.Create(0xa3014314u) + w6, 15);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x39) + b + Vector512.Create(0x4e0811a1u) + w13, 21);
        a = b + Avx512F.RotateLeft(Avx512F.TernaryLogic(b, c, d, 0x39) + a + Vector512.Create(0xf7537e82u) + w4, 6);
        d = a + Avx512F.RotateLeft(Avx512F.TernaryLogic(a, b, c, 0x39) + d + Vector512.Create(0xbd3af235u) + w11, 10);
        c = d + Avx512F.RotateLeft(Avx512F.TernaryLogic(d, a, b, 0x39) + c + Vector512.Create(0x2ad7d2bbu) + w2, 15);
        b = c + Avx512F.RotateLeft(Avx512F.TernaryLogic(c, d, a, 0x39) + b + Vector512.Create(0xeb86d391u) + w9, 21);
        ra += a;
        rb += b;
        rc += c;
        rd += d;
    }

    /// <summary>Rows r0..r3: each 128-bit part k of output j holds word 4k+j of the four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Quad(Vector512<uint> r0, Vector512<uint> r1, Vector512<uint> r2, Vector512<uint> r3,
        out Vector512<uint> o0, out Vector512<uint> o1, out Vector512<uint> o2, out Vector512<uint> o3)
    {
        var t0 = Avx512F.UnpackLow(r0, r1).AsUInt64();
        var t1 = Avx512F.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Avx512F.UnpackLow(r2, r3).AsUInt64();
        var t3 = Avx512F.UnpackHigh(r2, r3).AsUInt64();
        o0 = Avx512F.UnpackLow(t0, t2).AsUInt32();
        o1 = Avx512F.UnpackHigh(t0, t2).AsUInt32();
        o2 = Avx512F.UnpackLow(t1, t3).AsUInt32();
        o3 = Avx512F.UnpackHigh(t1, t3).AsUInt32();
    }

    /// <summary>A 4x4 transpose of 128-bit parts: output k gathers part k of the four inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Parts(Vector512<uint> v0, Vector512<uint> v1, Vector512<uint> v2, Vector512<uint> v3,
        out Vector512<uint> o0, out Vector512<uint> o1, out Vector512<uint> o2, out Vector512<uint> o3)
    {
        var x0 = Avx512F.Shuffle4x128(v0, v1, 0x44);
        var x1 = Avx512F.Shuffle4x128(v0, v1, 0xEE);
        var x2 = Avx512F.Shuffle4x128(v2, v3, 0x44);
        var x3 = Avx512F.Shuffle4x128(v2, v3, 0xEE);
        o0 = Avx512F.Shuffle4x128(x0, x2, 0x88);
        o1 = Avx512F.Shuffle4x128(x0, x2, 0xDD);
        o2 = Avx512F.Shuffle4x128(x1, x3, 0x88);
        o3 = Avx512F.Shuffle4x128(x1, x3, 0xDD);
    }

    /// <summary>The AVX2 engine: 8 lanes (lanes 8-15 of the arrays are unused); optimized at once, as Run16 is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run8(byte** pointers, int* blocks, uint* states)
    {
        var a = Vector256.Load(states);
        var b = Vector256.Load(states + 16);
        var c = Vector256.Load(states + 32);
        var d = Vector256.Load(states + 48);
        var done = 0;
        var words = stackalloc uint[16 * 8];
        var lanes = stackalloc byte*[8];
        var strides = stackalloc int[8];
        var mask = stackalloc uint[8];
        fixed (byte* zero = ZeroBlock)
        {
            for (int next; (next = Segment(8, done, pointers, blocks, zero, lanes, strides, mask)) > done; done = next)
            {
                var keep = Vector256.Load(mask);
                var all = Vector256.EqualsAll(keep, Vector256<uint>.AllBitsSet);
                for (var blk = done; blk < next; blk++)
                {
                    // A plain transpose through memory: AVX2 machines are the fallback here.
                    for (var l = 0; l < 8; l++)
                    {
                        var row = (uint*)lanes[l];
                        for (var g = 0; g < 16; g++)
                        {
                            words[g * 8 + l] = row[g];
                        }
                        lanes[l] += strides[l];
                    }
                    var (a0, b0, c0, d0) = (a, b, c, d);
                    Block8(ref a, ref b, ref c, ref d, words);
                    if (!all)
                    {
                        a = Vector256.ConditionalSelect(keep, a, a0);
                        b = Vector256.ConditionalSelect(keep, b, b0);
                        c = Vector256.ConditionalSelect(keep, c, c0);
                        d = Vector256.ConditionalSelect(keep, d, d0);
                    }
                }
            }
        }
        a.Store(states);
        b.Store(states + 16);
        c.Store(states + 32);
        d.Store(states + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block8(ref Vector256<uint> ra, ref Vector256<uint> rb, ref Vector256<uint> rc, ref Vector256<uint> rd, uint* words)
    {
        var w0 = Vector256.Load(words + 0);
        var w1 = Vector256.Load(words + 8);
        var w2 = Vector256.Load(words + 16);
        var w3 = Vector256.Load(words + 24);
        var w4 = Vector256.Load(words + 32);
        var w5 = Vector256.Load(words + 40);
        var w6 = Vector256.Load(words + 48);
        var w7 = Vector256.Load(words + 56);
        var w8 = Vector256.Load(words + 64);
        var w9 = Vector256.Load(words + 72);
        var w10 = Vector256.Load(words + 80);
        var w11 = Vector256.Load(words + 88);
        var w12 = Vector256.Load(words + 96);
        var w13 = Vector256.Load(words + 104);
        var w14 = Vector256.Load(words + 112);
        var w15 = Vector256.Load(words + 120);
        var a = ra;
        var b = rb;
        var c = rc;
        var d = rd;
        a = b + Rotl(F(b, c, d) + a + Vector256.Create(0xd76aa478u) + w0, 7);
        d = a + Rotl(F(a, b, c) + d + Vector256.Create(0xe8c7b756u) + w1, 12);
        c = d + Rotl(F(d, a, b) + c + Vector256.Create(0x242070dbu) + w2, 17);
        b = c + Rotl(F(c, d, a) + b + Vector256.Create(0xc1bdceeeu) + w3, 22);
        a = b + Rotl(F(b, c, d) + a + Vector256.Create(0xf57c0fafu) + w4, 7);
        d = a + Rotl(F(a, b, c) + d + Vector256.Create(0x4787c62au) + w5, 12);
        c = d + Rotl(F(d, a, b) + c + Vector256.Create(0xa8304613u) + w6, 17);
        b = c + Rotl(F(c, d, a) + b + Vector256.Create(0xfd469501u) + w7, 22);
        a = b + Rotl(F(b, c, d) + a + Vector256.Create(0x698098d8u) + w8, 7);
        d = a + Rotl(F(a, b, c) + d + Vector256.Create(0x8b44f7afu) + w9, 12);
        c = d + Rotl(F(d, a, b) + c + Vector256.Create(0xffff5bb1u) + w10, 17);
        b = c + Rotl(F(c, d, a) + b + Vector256.Create(0x895cd7beu) + w11, 22);
        a = b + Rotl(F(b, c, d) + a + Vector256.Create(0x6b901122u) + w12, 7);
        d = a + Rotl(F(a, b, c) + d + Vector256.Create(0xfd987193u) + w13, 12);
        c = d + Rotl(F(d, a, b) + c + Vector256.Create(0xa679438eu) + w14, 17);
        b = c + Rotl(F(c, d, a) + b + Vector256.Create(0x49b40821u) + w15, 22);
        a = b + Rotl(G(b, c, d) + a + Vector256.Create(0xf61e2562u) + w1, 5);
        d = a + Rotl(G(a, b, c) + d + Vector256.Create(0xc040b340u) + w6, 9);
        c = d + Rotl(G(d, a, b) + c + Vector256.Create(0x265e5a51u) + w11, 14);
        b = c + Rotl(G(c, d, a) + b + Vector256.Create(0xe9b6c7aau) + w0, 20);
        a = b + Rotl(G(b, c, d) + a + Vector256.Create(0xd62f105du) + w5, 5);
        d = a + Rotl(G(a, b, c) + d + Vector256.Create(0x02441453u) + w10, 9);
        c = d + Rotl(G(d, a, b) + c + Vector256.Create(0xd8a1e681u) + w15, 14);
        b = c + Rotl(G(c, d, a) + b + Vector256.Create(0xe7d3fbc8u) + w4, 20);
        a = b + Rotl(G(b, c, d) + a + Vector256.Create(0x21e1cde6u) + w9, 5);
        d = a + Rotl(G(a, b, c) + d + Vector256.Create(0xc33707d6u) + w14, 9);
        c = d + Rotl(G(d, a, b) + c + Vector256.Create(0xf4d50d87u) + w3, 14);
        b = c + Rotl(G(c, d, a) + b + Vector256.Create(0x455a14edu) + w8, 20);
        a = b + Rotl(G(b, c, d) + a + Vector256.Create(0xa9e3e905u) + w13, 5);
        d = a + Rotl(G(a, b, c) + d + Vector256.Create(0xfcefa3f8u) + w2, 9);
        c = d + Rotl(G(d, a, b) + c + Vector256.Create(0x676f02d9u) + w7, 14);
        b = c + Rotl(G(c, d, a) + b + Vector256.Create(0x8d2a4c8au) + w12, 20);
        a = b + Rotl(H(b, c, d) + a + Vector256.Create(0xfffa3942u) + w5, 4);
        d = a + Rotl(H(a, b, c) + d + Vector256.Create(0x8771f681u) + w8, 11);
        c = d + Rotl(H(d, a, b) + c + Vector256.Create(0x6d9d6122u) + w11, 16);
        b = c + Rotl(H(c, d, a) + b + Vector256.Create(0xfde5380cu) + w14, 23);
        a = b + Rotl(H(b, c, d) + a + Vector256.Create(0xa4beea44u) + w1, 4);
        d = a + Rotl(H(a, b, c) + d + Vector256.Create(0x4bdecfa9u) + w4, 11);
        c = d + Rotl(H(d, a, b) + c + Vector256.Create(0xf6bb4b60u) + w7, 16);
        b = c + Rotl(H(c, d, a) + b + Vector256.Create(0xbebfbc70u) + w10, 23);
        a = b + Rotl(H(b, c, d) + a + Vector256.Create(0x289b7ec6u) + w13, 4);
        d = a + Rotl(H(a, b, c) + d + Vector256.Create(0xeaa127fau) + w0, 11);
        c = d + Rotl(H(d, a, b) + c + Vector256.Create(0xd4ef3085u) + w3, 16);
        b = c + Rotl(H(c, d, a) + b + Vector256.Create(0x04881d05u) + w6, 23);
        a = b + Rotl(H(b, c, d) + a + Vector256.Create(0xd9d4d039u) + w9, 4);
        d = a + Rotl(H(a, b, c) + d + Vector256.Create(0xe6db99e5u) + w12, 11);
        c = d + Rotl(H(d, a, b) + c + Vector256.Create(0x1fa27cf8u) + w15, 16);
        b = c + Rotl(H(c, d, a) + b + Vector256.Create(0xc4ac5665u) + w2, 23);
        a = b + Rotl(I(b, c, d) + a + Vector256.Create(0xf4292244u) + w0, 6);
        d = a + Rotl(I(a, b, c) + d + Vector256.Create(0x432aff97u) + w7, 10);
        c = d + Rotl(I(d, a, b) + c + Vector256.Create(0xab9423a7u) + w14, 15);
        b = c + Rotl(I(c, d, a) + b + Vector256.Create(0xfc93a039u) + w5, 21);
        a = b + Rotl(I(b, c, d) + a + Vector256.Create(0x655b59c3u) + w12, 6);
        d = a + Rotl(I(a, b, c) + d + Vector256.Create(0x8f0ccc92u) + w3, 10);
        c = d + Rotl(I(d, a, b) + c + Vector256.Create(0xffeff47du) + w10, 15);
        b = c + Rotl(I(c, d, a) + b + Vector256.Create(0x85845dd1u) + w1, 21);
        a = b + Rotl(I(b, c, d) + a + Vector256.Create(0x6fa87e4fu) + w8, 6);
        d = a + Rotl(I(a, b, c) + d + Vector256.Create(0xfe2ce6e0u) + w15, 10);
        c = d + Rotl(I(d, a, b) + c + Vector256.Create(0xa3014314u) + w6, 15);
        b = c + Rotl(I(c, d, a) + b + Vector256.Create(0x4e0811a1u) + w13, 21);
        a = b + Rotl(I(b, c, d) + a + Vector256.Create(0xf7537e82u) + w4, 6);
        d = a + Rotl(I(a, b, c) + d + Vector256.Create(0xbd3af235u) + w11, 10);
        c = d + Rotl(I(d, a, b) + c + Vector256.Create(0x2ad7d2bbu) + w2, 15);
        b = c + Rotl(I(c, d, a) + b + Vector256.Create(0xeb86d391u) + w9, 21);
        ra += a;
        rb += b;
        rc += c;
        rd += d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> F(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => z ^ (x & (y ^ z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> G(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => y ^ (z & (x ^ y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> H(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => x ^ y ^ z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> I(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => y ^ (x | ~z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotl(Vector256<uint> x, [ConstantExpected] byte n) => Vector256.ShiftLeft(x, n) | Vector256.ShiftRightLogical(x, 32 - n);
}
