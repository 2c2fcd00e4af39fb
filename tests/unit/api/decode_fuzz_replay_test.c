/* Replays fuzz/corpus/api_decode (seeds and inputs that once failed) through the fuzz target
 * compiled without libFuzzer, under the test build's ASan/UBSan (STYLE.md §13). */
#define FUZZ_REPLAY_DEFAULT_DIR CK_SOURCE_DIR "/fuzz/corpus/api_decode"
#include "../../../fuzz/fuzz_api_decode.c"
#include "../../../fuzz/replay_main.c"
