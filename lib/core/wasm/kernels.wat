;; Float64 SIMD kernels for the fused Adam step (lib/train/wasm_adam.ts). Source of lib/core/wasm/kernels_wasm.ts,
;; built by `deno run -A scripts/build_wasm.ts` (wabt's wat2wasm, pinned in deno.json). Every lane
;; does the same IEEE-754 operations in the same order as the scalar TypeScript reference
;; (lib/core/optim.ts adam, lib/train/fused.ts): f64x2 mul/add/sub/div/sqrt are correctly rounded per lane and
;; no fused multiply–add is used, so the results are bit-identical.
(module
  ;; Shared, provided by the caller (lib/core/wasm_kernels.ts), so that a worker thread can write
  ;; prompts straight into it (lib/train/stream.ts).
  (import "env" "memory" (memory 1 65536 shared))

  ;; dst[i*bLen + j] = a[i] * b[j] for i < aLen, j < bLen (byte addresses; f64 entries).
  (func (export "outer") (param $dst i32) (param $a i32) (param $aLen i32) (param $b i32) (param $bLen i32)
    (local $i i32) (local $j i32) (local $ai f64) (local $av v128) (local $row i32) (local $pairs i32)
    (local.set $pairs (i32.and (local.get $bLen) (i32.const -2)))
    (block $doneI
      (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $aLen)))
        (local.set $ai (f64.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $av (f64x2.splat (local.get $ai)))
        (local.set $row (i32.add (local.get $dst)
          (i32.shl (i32.mul (local.get $i) (local.get $bLen)) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $doneJ
          (loop $loopJ
            (br_if $doneJ (i32.ge_u (local.get $j) (local.get $pairs)))
            (v128.store
              (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))
              (f64x2.mul (local.get $av)
                (v128.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $loopJ)))
        (if (i32.lt_u (local.get $j) (local.get $bLen))
          (then
            (f64.store
              (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))
              (f64.mul (local.get $ai)
                (f64.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopI))))

  ;; Adam on n entries: m = β1 m + a1 g; v = β2 v + (a2 g) g; w = w − ((lr m) c1) / (√(v c2) + ε).
  (func (export "adam") (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $n i32)
    (param $beta1 f64) (param $beta2 f64) (param $a1 f64) (param $a2 f64) (param $lr f64)
    (param $c1 f64) (param $c2 f64) (param $eps f64)
    (local $i i32) (local $off i32) (local $pairs i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $B1 v128) (local $B2 v128) (local $A1 v128) (local $A2 v128) (local $LR v128)
    (local $C1 v128) (local $C2 v128) (local $EPS v128)
    (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $B1 (f64x2.splat (local.get $beta1)))
    (local.set $B2 (f64x2.splat (local.get $beta2)))
    (local.set $A1 (f64x2.splat (local.get $a1)))
    (local.set $A2 (f64x2.splat (local.get $a2)))
    (local.set $LR (f64x2.splat (local.get $lr)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    (local.set $pairs (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $off (i32.shl (local.get $i) (i32.const 3)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $off))))
        (local.set $mv (f64x2.add
          (f64x2.mul (local.get $B1) (v128.load (i32.add (local.get $m) (local.get $off))))
          (f64x2.mul (local.get $A1) (local.get $gv))))
        (local.set $vv (f64x2.add
          (f64x2.mul (local.get $B2) (v128.load (i32.add (local.get $v) (local.get $off))))
          (f64x2.mul (f64x2.mul (local.get $A2) (local.get $gv)) (local.get $gv))))
        (v128.store (i32.add (local.get $m) (local.get $off)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $off)) (local.get $vv))
        (v128.store (i32.add (local.get $w) (local.get $off))
          (f64x2.sub
            (v128.load (i32.add (local.get $w) (local.get $off)))
            (f64x2.div
              (f64x2.mul (f64x2.mul (local.get $LR) (local.get $mv)) (local.get $C1))
              (f64x2.add (f64x2.sqrt (f64x2.mul (local.get $vv) (local.get $C2))) (local.get $EPS)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $loop)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (local.set $off (i32.shl (local.get $i) (i32.const 3)))
        (local.set $gs (f64.load (i32.add (local.get $g) (local.get $off))))
        (local.set $ms (f64.add
          (f64.mul (local.get $beta1) (f64.load (i32.add (local.get $m) (local.get $off))))
          (f64.mul (local.get $a1) (local.get $gs))))
        (local.set $vs (f64.add
          (f64.mul (local.get $beta2) (f64.load (i32.add (local.get $v) (local.get $off))))
          (f64.mul (f64.mul (local.get $a2) (local.get $gs)) (local.get $gs))))
        (f64.store (i32.add (local.get $m) (local.get $off)) (local.get $ms))
        (f64.store (i32.add (local.get $v) (local.get $off)) (local.get $vs))
        (f64.store (i32.add (local.get $w) (local.get $off))
          (f64.sub
            (f64.load (i32.add (local.get $w) (local.get $off)))
            (f64.div
              (f64.mul (f64.mul (local.get $lr) (local.get $ms)) (local.get $c1))
              (f64.add (f64.sqrt (f64.mul (local.get $vs) (local.get $c2))) (local.get $eps))))))))
  ;; dst[i*cols + j] = Σ_{b<B} A[i*cap + b] · CT[b*cols + j] for i < rows, j < cols: each sum from 0
  ;; with b in order (the scalar reference's order), two j per lane pair, eight sums side by side.
  (func (export "rankB") (param $dst i32) (param $A i32) (param $rows i32) (param $CT i32)
    (param $cols i32) (param $cap i32) (param $B i32)
    (local $i i32) (local $j i32) (local $b i32) (local $quads i32) (local $pairs i32)
    (local $arow i32) (local $drow i32) (local $cp i32) (local $x v128) (local $xs f64)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $ss f64)
    (local $rowBytes i32)
    (local.set $quads (i32.and (local.get $cols) (i32.const -8)))
    (local.set $pairs (i32.and (local.get $cols) (i32.const -2)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (block $doneI
      (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $arow (i32.add (local.get $A) (i32.shl (i32.mul (local.get $i) (local.get $cap)) (i32.const 3))))
        (local.set $drow (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        ;; eight columns at a time
        (block $doneQ
          (loop $loopQ
            (br_if $doneQ (i32.ge_u (local.get $j) (local.get $quads)))
            (local.set $s0 (f64x2.splat (f64.const 0)))
            (local.set $s1 (f64x2.splat (f64.const 0)))
            (local.set $s2 (f64x2.splat (f64.const 0)))
            (local.set $s3 (f64x2.splat (f64.const 0)))
            (local.set $cp (i32.add (local.get $CT) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $b (i32.const 0))
            (block $doneB
              (loop $loopB
                (br_if $doneB (i32.ge_u (local.get $b) (local.get $B)))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $arow) (i32.shl (local.get $b) (i32.const 3))))))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load offset=0 (local.get $cp)))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $cp)))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x) (v128.load offset=32 (local.get $cp)))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x) (v128.load offset=48 (local.get $cp)))))
                (local.set $cp (i32.add (local.get $cp) (local.get $rowBytes)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $loopB)))
            (v128.store offset=0 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 3))) (local.get $s0))
            (v128.store offset=16 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 3))) (local.get $s1))
            (v128.store offset=32 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 3))) (local.get $s2))
            (v128.store offset=48 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 3))) (local.get $s3))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $loopQ)))
        ;; two columns at a time
        (block $doneP
          (loop $loopP
            (br_if $doneP (i32.ge_u (local.get $j) (local.get $pairs)))
            (local.set $s0 (f64x2.splat (f64.const 0)))
            (local.set $cp (i32.add (local.get $CT) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $b (i32.const 0))
            (block $doneB2
              (loop $loopB2
                (br_if $doneB2 (i32.ge_u (local.get $b) (local.get $B)))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $arow) (i32.shl (local.get $b) (i32.const 3))))))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (local.get $cp)))))
                (local.set $cp (i32.add (local.get $cp) (local.get $rowBytes)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $loopB2)))
            (v128.store (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 3))) (local.get $s0))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $loopP)))
        ;; last column
        (if (i32.lt_u (local.get $j) (local.get $cols))
          (then
            (local.set $ss (f64.const 0))
            (local.set $cp (i32.add (local.get $CT) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $b (i32.const 0))
            (block $doneB3
              (loop $loopB3
                (br_if $doneB3 (i32.ge_u (local.get $b) (local.get $B)))
                (local.set $xs (f64.load (i32.add (local.get $arow) (i32.shl (local.get $b) (i32.const 3)))))
                (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $xs) (f64.load (local.get $cp)))))
                (local.set $cp (i32.add (local.get $cp) (local.get $rowBytes)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $loopB3)))
            (f64.store (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 3))) (local.get $ss))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopI))))

  ;; out[r] = init[r] + Σ_{k<cols} A[r·lda + k]·x[k] for r < rows (init[r] at byte init + r·initStride;
  ;; a stride of 0 on a zero gives sums from 0): each sum from its init, k in order, as the scalar
  ;; reference (lib/icrl/restricted.ts). Two rows share an f64x2 — a 2×2 shuffle turns the loads of
  ;; two rows into a column pair per lane pair — and four row pairs run side by side.
  (func $mv (param $out i32) (param $init i32) (param $initStride i32) (param $A i32) (param $lda i32)
    (param $rows i32) (param $cols i32) (param $x i32)
    (local $r i32) (local $k i32) (local $kp i32) (local $off i32) (local $ldaB i32) (local $ip i32)
    (local $rows8 i32) (local $ss f64) (local $rp i32)
    (local $ra0 i32) (local $rb0 i32) (local $ra1 i32) (local $rb1 i32)
    (local $ra2 i32) (local $rb2 i32) (local $ra3 i32) (local $rb3 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $la v128) (local $lb v128) (local $x0 v128) (local $x1 v128)
    (local.set $ldaB (i32.shl (local.get $lda) (i32.const 3)))
    (local.set $kp (i32.and (local.get $cols) (i32.const -2)))
    (local.set $rows8 (i32.and (local.get $rows) (i32.const -8)))
    ;; eight rows (four pairs) at a time
    (block $done8
      (loop $loop8
        (br_if $done8 (i32.ge_u (local.get $r) (local.get $rows8)))
        (local.set $ra0 (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $ldaB))))
        (local.set $rb0 (i32.add (local.get $ra0) (local.get $ldaB)))
        (local.set $ip (i32.add (local.get $init) (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $initStride))))
        (local.set $acc0 (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $ip)))
          (f64.load (i32.add (local.get $ip) (local.get $initStride)))))
        (local.set $ra1 (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $ldaB))))
        (local.set $rb1 (i32.add (local.get $ra1) (local.get $ldaB)))
        (local.set $ip (i32.add (local.get $init) (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $initStride))))
        (local.set $acc1 (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $ip)))
          (f64.load (i32.add (local.get $ip) (local.get $initStride)))))
        (local.set $ra2 (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (i32.const 4)) (local.get $ldaB))))
        (local.set $rb2 (i32.add (local.get $ra2) (local.get $ldaB)))
        (local.set $ip (i32.add (local.get $init) (i32.mul (i32.add (local.get $r) (i32.const 4)) (local.get $initStride))))
        (local.set $acc2 (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $ip)))
          (f64.load (i32.add (local.get $ip) (local.get $initStride)))))
        (local.set $ra3 (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (i32.const 6)) (local.get $ldaB))))
        (local.set $rb3 (i32.add (local.get $ra3) (local.get $ldaB)))
        (local.set $ip (i32.add (local.get $init) (i32.mul (i32.add (local.get $r) (i32.const 6)) (local.get $initStride))))
        (local.set $acc3 (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $ip)))
          (f64.load (i32.add (local.get $ip) (local.get $initStride)))))
        (local.set $k (i32.const 0))
        (block $doneK4
          (loop $loopK4
            (br_if $doneK4 (i32.ge_u (local.get $k) (local.get $kp)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $x0 (f64x2.splat (f64.load (i32.add (local.get $x) (local.get $off)))))
            (local.set $x1 (f64x2.splat (f64.load offset=8 (i32.add (local.get $x) (local.get $off)))))
                (local.set $la (v128.load (i32.add (local.get $ra0) (local.get $off))))
                (local.set $lb (v128.load (i32.add (local.get $rb0) (local.get $off))))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $la) (local.get $lb)) (local.get $x0))))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $la) (local.get $lb)) (local.get $x1))))
                (local.set $la (v128.load (i32.add (local.get $ra1) (local.get $off))))
                (local.set $lb (v128.load (i32.add (local.get $rb1) (local.get $off))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $la) (local.get $lb)) (local.get $x0))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $la) (local.get $lb)) (local.get $x1))))
                (local.set $la (v128.load (i32.add (local.get $ra2) (local.get $off))))
                (local.set $lb (v128.load (i32.add (local.get $rb2) (local.get $off))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $la) (local.get $lb)) (local.get $x0))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $la) (local.get $lb)) (local.get $x1))))
                (local.set $la (v128.load (i32.add (local.get $ra3) (local.get $off))))
                (local.set $lb (v128.load (i32.add (local.get $rb3) (local.get $off))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $la) (local.get $lb)) (local.get $x0))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $la) (local.get $lb)) (local.get $x1))))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $loopK4)))
        (if (i32.lt_u (local.get $k) (local.get $cols))
          (then
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $x0 (f64x2.splat (f64.load (i32.add (local.get $x) (local.get $off)))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul
              (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $ra0) (local.get $off))))
                (f64.load (i32.add (local.get $rb0) (local.get $off))))
              (local.get $x0))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul
              (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $ra1) (local.get $off))))
                (f64.load (i32.add (local.get $rb1) (local.get $off))))
              (local.get $x0))))
            (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul
              (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $ra2) (local.get $off))))
                (f64.load (i32.add (local.get $rb2) (local.get $off))))
              (local.get $x0))))
            (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul
              (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $ra3) (local.get $off))))
                (f64.load (i32.add (local.get $rb3) (local.get $off))))
              (local.get $x0))))
))
        (v128.store offset=0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc0))
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc1))
        (v128.store offset=32 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc2))
        (v128.store offset=48 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc3))
        (local.set $r (i32.add (local.get $r) (i32.const 8)))
        (br $loop8)))
    ;; one row pair at a time
    (block $done2
      (loop $loop2
        (br_if $done2 (i32.ge_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows)))
        (local.set $ra0 (i32.add (local.get $A) (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $ldaB))))
        (local.set $rb0 (i32.add (local.get $ra0) (local.get $ldaB)))
        (local.set $ip (i32.add (local.get $init) (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $initStride))))
        (local.set $acc0 (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $ip)))
          (f64.load (i32.add (local.get $ip) (local.get $initStride)))))
        (local.set $k (i32.const 0))
        (block $doneK1
          (loop $loopK1
            (br_if $doneK1 (i32.ge_u (local.get $k) (local.get $kp)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $x0 (f64x2.splat (f64.load (i32.add (local.get $x) (local.get $off)))))
            (local.set $x1 (f64x2.splat (f64.load offset=8 (i32.add (local.get $x) (local.get $off)))))
                (local.set $la (v128.load (i32.add (local.get $ra0) (local.get $off))))
                (local.set $lb (v128.load (i32.add (local.get $rb0) (local.get $off))))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $la) (local.get $lb)) (local.get $x0))))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $la) (local.get $lb)) (local.get $x1))))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $loopK1)))
        (if (i32.lt_u (local.get $k) (local.get $cols))
          (then
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $x0 (f64x2.splat (f64.load (i32.add (local.get $x) (local.get $off)))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul
              (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $ra0) (local.get $off))))
                (f64.load (i32.add (local.get $rb0) (local.get $off))))
              (local.get $x0))))
))
        (v128.store offset=0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc0))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $loop2)))
    ;; last row
    (if (i32.lt_u (local.get $r) (local.get $rows))
      (then
        (local.set $ss (f64.load (i32.add (local.get $init) (i32.mul (local.get $r) (local.get $initStride)))))
        (local.set $rp (i32.add (local.get $A) (i32.mul (local.get $r) (local.get $ldaB))))
        (local.set $k (i32.const 0))
        (block $doneS
          (loop $loopS
            (br_if $doneS (i32.ge_u (local.get $k) (local.get $cols)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $ss (f64.add (local.get $ss)
              (f64.mul (f64.load (i32.add (local.get $rp) (local.get $off)))
                (f64.load (i32.add (local.get $x) (local.get $off))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $loopS)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $ss)))))

  ;; out[j] = Σ_{i<rows} c[i]·A[i·lda + j] for j < cols, each sum from 0 with i in order (the scalar
  ;; reference's order): eight columns (four f64x2) side by side, then pairs, then the last column.
  (func $wsum (param $out i32) (param $A i32) (param $lda i32) (param $rows i32) (param $cols i32)
    (param $c i32)
    (local $i i32) (local $j i32) (local $cols8 i32) (local $ap i32) (local $ldaB i32) (local $cv v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $ss f64)
    (local.set $ldaB (i32.shl (local.get $lda) (i32.const 3)))
    (local.set $cols8 (i32.and (local.get $cols) (i32.const -8)))
    (block $done8
      (loop $loop8
        (br_if $done8 (i32.ge_u (local.get $j) (local.get $cols8)))
        (local.set $s0 (f64x2.splat (f64.const 0)))
        (local.set $s1 (f64x2.splat (f64.const 0)))
        (local.set $s2 (f64x2.splat (f64.const 0)))
        (local.set $s3 (f64x2.splat (f64.const 0)))
        (local.set $ap (i32.add (local.get $A) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $i (i32.const 0))
        (block $doneI
          (loop $loopI
            (br_if $doneI (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $cv (f64x2.splat (f64.load (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $cv) (v128.load offset=0 (local.get $ap)))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $cv) (v128.load offset=16 (local.get $ap)))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $cv) (v128.load offset=32 (local.get $ap)))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $cv) (v128.load offset=48 (local.get $ap)))))
            (local.set $ap (i32.add (local.get $ap) (local.get $ldaB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $loopI)))
        (v128.store offset=0 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $s0))
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $s1))
        (v128.store offset=32 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $s2))
        (v128.store offset=48 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $s3))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $loop8)))
    (block $done2
      (loop $loop2
        (br_if $done2 (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $cols)))
        (local.set $s0 (f64x2.splat (f64.const 0)))
        (local.set $ap (i32.add (local.get $A) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $i (i32.const 0))
        (block $doneI2
          (loop $loopI2
            (br_if $doneI2 (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $cv (f64x2.splat (f64.load (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $cv) (v128.load (local.get $ap)))))
            (local.set $ap (i32.add (local.get $ap) (local.get $ldaB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $loopI2)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $s0))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $loop2)))
    (if (i32.lt_u (local.get $j) (local.get $cols))
      (then
        (local.set $ss (f64.const 0))
        (local.set $ap (i32.add (local.get $A) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $i (i32.const 0))
        (block $doneI3
          (loop $loopI3
            (br_if $doneI3 (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $ss (f64.add (local.get $ss)
              (f64.mul (f64.load (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 3))))
                (f64.load (local.get $ap)))))
            (local.set $ap (i32.add (local.get $ap) (local.get $ldaB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $loopI3)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $ss)))))

  ;; Forward and backward of one prompt (lib/train/fused.ts fusedPrompt, same operations in the same
  ;; order): u = P12 θ̃, s = X u, z = Σ_i (s_i/n) x_i, out = θ + V̄21 z, e = out − target,
  ;; y = V̄21ᵀ e, s' = X y, t = Σ_i (s'_i/n) x_i. Writes the factors t·scale (to bt, stride `stride`
  ;; bytes), e·scale (to be, same stride) and z (to bz, contiguous); returns ½‖e‖².
  ;; P12 is m×p and V̄21 is (p−1)×m, row-major; TH holds θ̃ = (1, θ); scratch needs
  ;; 16 + 8·(4m + 2n + p) bytes (its first 16 bytes are the zero the sums from 0 start at).
  (func (export "prompt") (param $P i32) (param $V i32) (param $X i32) (param $TH i32) (param $TG i32)
    (param $n i32) (param $m i32) (param $p i32) (param $scr i32)
    (param $bt i32) (param $be i32) (param $stride i32) (param $bz i32) (param $scale f64)
    (param $invN f64) (result f64)
    (local $q i32) (local $u i32) (local $s i32) (local $z i32) (local $o i32) (local $y i32)
    (local $t i32) (local $c i32) (local $i i32) (local $loss f64) (local $e f64)
    (local.set $q (i32.sub (local.get $p) (i32.const 1)))
    (v128.store (local.get $scr) (v128.const i64x2 0 0))
    (local.set $u (i32.add (local.get $scr) (i32.const 16)))
    (local.set $s (i32.add (local.get $u) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $z (i32.add (local.get $s) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $o (i32.add (local.get $z) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $y (i32.add (local.get $o) (i32.shl (local.get $p) (i32.const 3))))
    (local.set $t (i32.add (local.get $y) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $c (i32.add (local.get $t) (i32.shl (local.get $m) (i32.const 3))))
    ;; u = P12 θ̃: row r from P12[r, 0], then k = 1 … p−1
    (call $mv (local.get $u) (local.get $P) (i32.shl (local.get $p) (i32.const 3))
      (i32.add (local.get $P) (i32.const 8)) (local.get $p) (local.get $m) (local.get $q)
      (i32.add (local.get $TH) (i32.const 8)))
    ;; s = X u; c = s/n; z = Σ_i c_i x_i
    (call $mv (local.get $s) (local.get $scr) (i32.const 0) (local.get $X) (local.get $m)
      (local.get $n) (local.get $m) (local.get $u))
    (call $scaleInto (local.get $c) (local.get $s) (local.get $n) (local.get $invN))
    (call $wsum (local.get $z) (local.get $X) (local.get $m) (local.get $n) (local.get $m) (local.get $c))
    ;; out = θ + V̄21 z
    (call $mv (local.get $o) (i32.add (local.get $TH) (i32.const 8)) (i32.const 8) (local.get $V)
      (local.get $m) (local.get $q) (local.get $m) (local.get $z))
    ;; e = out − target (in place), loss = Σ e² in order
    (block $doneE
      (loop $loopE
        (br_if $doneE (i32.ge_u (local.get $i) (local.get $q)))
        (local.set $e (f64.sub
          (f64.load (i32.add (local.get $o) (i32.shl (local.get $i) (i32.const 3))))
          (f64.load (i32.add (local.get $TG) (i32.shl (local.get $i) (i32.const 3))))))
        (f64.store (i32.add (local.get $o) (i32.shl (local.get $i) (i32.const 3))) (local.get $e))
        (local.set $loss (f64.add (local.get $loss) (f64.mul (local.get $e) (local.get $e))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopE)))
    ;; y = V̄21ᵀ e; s' = X y; c = s'/n; t = Σ_i c_i x_i
    (call $wsum (local.get $y) (local.get $V) (local.get $m) (local.get $q) (local.get $m) (local.get $o))
    (call $mv (local.get $s) (local.get $scr) (i32.const 0) (local.get $X) (local.get $m)
      (local.get $n) (local.get $m) (local.get $y))
    (call $scaleInto (local.get $c) (local.get $s) (local.get $n) (local.get $invN))
    (call $wsum (local.get $t) (local.get $X) (local.get $m) (local.get $n) (local.get $m) (local.get $c))
    ;; factors
    (local.set $i (i32.const 0))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $i) (local.get $m)))
        (f64.store (i32.add (local.get $bt) (i32.mul (local.get $i) (local.get $stride)))
          (f64.mul (f64.load (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 3)))) (local.get $scale)))
        (f64.store (i32.add (local.get $bz) (i32.shl (local.get $i) (i32.const 3)))
          (f64.load (i32.add (local.get $z) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopR)))
    (local.set $i (i32.const 0))
    (block $doneK
      (loop $loopK
        (br_if $doneK (i32.ge_u (local.get $i) (local.get $q)))
        (f64.store (i32.add (local.get $be) (i32.mul (local.get $i) (local.get $stride)))
          (f64.mul (f64.load (i32.add (local.get $o) (i32.shl (local.get $i) (i32.const 3)))) (local.get $scale)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopK)))
    (f64.mul (local.get $loss) (f64.const 0.5)))

  ;; dst[i] = src[i] · a for i < len.
  (func $scaleInto (param $dst i32) (param $src i32) (param $len i32) (param $a f64)
    (local $i i32)
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (f64.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (f64.mul (f64.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))) (local.get $a)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop))))

  ;; Calibration (deno task bench): Σ over `reps` passes of a·x[i] + s for the f64x2 pairs of x[0…n),
  ;; eight f64x2 sums side by side (16 independent chains) — the machine's f64x2 multiply–add peak
  ;; for the shape of the kernels above. n must be a multiple of 16. Returns the sum of the sums.
  (func (export "peak") (param $x i32) (param $n i32) (param $reps i32) (param $a f64) (result f64)
    (local $r i32) (local $p i32) (local $end i32) (local $av v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 3))))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $reps)))
        (local.set $p (local.get $x))
        (block $doneP
          (loop $loopP
            (br_if $doneP (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $av) (v128.load offset=0 (local.get $p)))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $av) (v128.load offset=16 (local.get $p)))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $av) (v128.load offset=32 (local.get $p)))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $av) (v128.load offset=48 (local.get $p)))))
            (local.set $s4 (f64x2.add (local.get $s4) (f64x2.mul (local.get $av) (v128.load offset=64 (local.get $p)))))
            (local.set $s5 (f64x2.add (local.get $s5) (f64x2.mul (local.get $av) (v128.load offset=80 (local.get $p)))))
            (local.set $s6 (f64x2.add (local.get $s6) (f64x2.mul (local.get $av) (v128.load offset=96 (local.get $p)))))
            (local.set $s7 (f64x2.add (local.get $s7) (f64x2.mul (local.get $av) (v128.load offset=112 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 128)))
            (br $loopP)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $loopR)))
    (local.set $s0 (f64x2.add (f64x2.add (f64x2.add (local.get $s0) (local.get $s1)) (f64x2.add (local.get $s2) (local.get $s3)))
      (f64x2.add (f64x2.add (local.get $s4) (local.get $s5)) (f64x2.add (local.get $s6) (local.get $s7)))))
    (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))

  ;; The forward pass alone (lib/icrl/restricted.ts fusedReadout, same operations in the same order):
  ;; out = θ + V̄21 Σ̂ P12 θ̃ for one prompt, written to `out` (p−1 entries). Same arguments and
  ;; scratch as "prompt".
  (func (export "readout") (param $P i32) (param $V i32) (param $X i32) (param $TH i32)
    (param $n i32) (param $m i32) (param $p i32) (param $scr i32) (param $out i32) (param $invN f64)
    (local $u i32) (local $s i32) (local $z i32) (local $c i32) (local $q i32)
    (local.set $q (i32.sub (local.get $p) (i32.const 1)))
    (v128.store (local.get $scr) (v128.const i64x2 0 0))
    (local.set $u (i32.add (local.get $scr) (i32.const 16)))
    (local.set $s (i32.add (local.get $u) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $z (i32.add (local.get $s) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $c (i32.add (local.get $z) (i32.shl (local.get $m) (i32.const 3))))
    (call $mv (local.get $u) (local.get $P) (i32.shl (local.get $p) (i32.const 3))
      (i32.add (local.get $P) (i32.const 8)) (local.get $p) (local.get $m) (local.get $q)
      (i32.add (local.get $TH) (i32.const 8)))
    (call $mv (local.get $s) (local.get $scr) (i32.const 0) (local.get $X) (local.get $m)
      (local.get $n) (local.get $m) (local.get $u))
    (call $scaleInto (local.get $c) (local.get $s) (local.get $n) (local.get $invN))
    (call $wsum (local.get $z) (local.get $X) (local.get $m) (local.get $n) (local.get $m) (local.get $c))
    (call $mv (local.get $out) (i32.add (local.get $TH) (i32.const 8)) (i32.const 8) (local.get $V)
      (local.get $m) (local.get $q) (local.get $m) (local.get $z)))
)
