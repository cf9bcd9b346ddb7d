#!/bin/bash
# Measures every experiment preset at 1 and 2 ranks (wall seconds), interleaved.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
P=${PROTEUS:-build/release/src/app/proteus}
for preset in quick ci paper; do
  for e in baseline delta rfq dual-flow; do
    for ranks in 1 2; do
      out=${OUT:-/tmp/exp-measure}/r$ranks
      rm -rf $out/$e-$preset-*
      if [ $ranks = 1 ]; then cmd="$P"; else cmd="mpirun --oversubscribe -np $ranks $P"; fi
      s=$(date +%s.%N)
      $cmd experiment run $e --preset $preset --out $out --quiet > /dev/null 2>/tmp/exp-measure-err.txt
      rc=$?
      t=$(echo "$(date +%s.%N) - $s" | bc)
      runs=$(python3 -c "import json,glob;m=json.load(open(glob.glob('$out/$e-$preset-*/metadata.json')[0]));print(m['cells']*m['repetitions'])" 2>/dev/null)
      echo "$e $preset ranks=$ranks rc=$rc wall=$t runs=$runs"
    done
  done
done
