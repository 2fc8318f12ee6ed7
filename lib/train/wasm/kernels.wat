;; Float64 SIMD kernels for the fused Adam step (lib/train/wasm_adam.ts). Source of lib/train/wasm/kernels_wasm.ts,
;; built by `deno run -A scripts/build_wasm.ts` (wabt's wat2wasm, pinned in deno.json). Every lane
;; does the same IEEE-754 operations in the same order as the scalar TypeScript reference
;; (lib/core/optim.ts adam, lib/train/fused.ts): f64x2 mul/add/sub/div/sqrt are correctly rounded per lane and
;; no fused multiply–add is used, so the results are bit-identical.
(module
  (memory (export "memory") 1)

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
)
