#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (Swift's -sanitize=fuzzer) of the
# notebook front end (scanner → parser → checker), of the record reader and
# of the report's SVG sanitizer (whose output must also hold no script), with
# AddressSanitizer. Builds the library targets instrumented into
# .build-fuzz/, links each target in Tests/Fuzz/ against them, seeds the
# corpora from Tests/NotebookTests/Scripts and notebooks/ (notebooks), the
# committed records (records) and the committed SVG figures (svg), and runs
# each for SECONDS (default 60).
# Crashes land in .build-fuzz/crash-<target>-*; a crash exits non-zero.
# Leak reports are off (the Swift runtime's caches live for the process), and
# so is ASan's fake stack (the front end's depth guards read the real stack).
#
#   bash scripts/fuzz.sh            # every target, 60 s each
#   bash scripts/fuzz.sh 600 notebook
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
only="${2:-}"
scratch=.build-fuzz
flags=(-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
swift build --scratch-path "$scratch" --target Notebook "${flags[@]}" 2>&1 | tail -n 3
bin="$scratch/debug"
# Every object of the libraries the targets need (not the kymo executable, tests or plugins).
objects=()
for dir in "$bin"/*.build; do
  case "$(basename "$dir")" in
    kymo.build|*Tests.build|TestSupport.build|KymoPackage*|FiguresCairo.build|Distributed.build|ArgumentParser*.build) continue ;;
  esac
  while IFS= read -r -d '' o; do objects+=("$o"); done < <(find "$dir" -name '*.o' -print0)
done
status=0
for target in notebook record svg; do
  [ -z "$only" ] || [ "$only" = "$target" ] || continue
  src="Tests/Fuzz/$(tr '[:lower:]' '[:upper:]' <<< "${target:0:1}")${target:1}Fuzz.swift"
  exe="$scratch/fuzz-$target"
  # The C modules the libraries import, as SwiftPM passes them.
  cmods=(-Xcc -fmodule-map-file="$bin/CKymoGEMM.build/module.modulemap" -Xcc -I -Xcc Sources/CKymoGEMM/include
         -Xcc -fmodule-map-file=Sources/COpenBLAS/module.modulemap -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap
         -Xcc -fmodule-map-file=Sources/CCairo/module.modulemap -Xcc -fmodule-map-file=Sources/CHDF5/module.modulemap
         -Xcc -fmodule-map-file=Sources/CNetCDF/module.modulemap)
  for f in $(pkg-config --cflags-only-I openblas zlib cairo hdf5 netcdf); do cmods+=(-Xcc "$f"); done
  for m in "$bin"/*.build/module.modulemap; do cmods+=(-Xcc -fmodule-map-file="$m"); done
  swiftc -sanitize=fuzzer,address -parse-as-library -g -I "$bin/Modules" "${cmods[@]}" -module-name "Fuzz${target}" "$src" "${objects[@]}" \
    $(pkg-config --libs openblas zlib cairo hdf5 netcdf) -lstdc++ -o "$exe"
  corpus="$scratch/corpus-$target"
  mkdir -p "$corpus"
  if [ "$target" = notebook ]; then
    cp Tests/NotebookTests/Scripts/*.kymo notebooks/*.kymo "$corpus"/ 2>/dev/null || true
  elif [ "$target" = svg ]; then
    find figures Tests/FiguresTests/Goldens -name '*.svg' -size -200k -exec sh -c 'cp "$1" "$2/$(echo "$1" | md5sum | cut -c1-12).svg"' _ {} "$corpus" \;
  else
    find Tests -name '*.json' -not -path '*/Goldens/*' -exec sh -c 'cp "$1" "$2/$(echo "$1" | md5sum | cut -c1-12).json"' _ {} "$corpus" \;
  fi
  echo "== fuzz $target for ${seconds}s (corpus $(ls "$corpus" | wc -l) inputs)"
  if ! ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0 "$exe" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$scratch/crash-$target-" \
       -detect_leaks=0 -print_final_stats=1 2>&1 | tee "$scratch/fuzz-$target.log" \
       | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|ERROR|SUMMARY|Test unit written"; then
    :
  fi
  if grep -qE "ERROR: (libFuzzer|AddressSanitizer)|Test unit written" "$scratch/fuzz-$target.log"; then status=1; fi
done
exit "$status"
