"""print_compile_profile.py REPORT.json...: the code generation partitions,
threads, generically tuned functions and glue functions code-generated as at
-O0 of each mp-run report (its
summary's compile_profile), one line per report; asserts that every CPU
time in the profile is a non-negative number."""
import json
import os
import sys

for path in sys.argv[1:]:
    profile = json.load(open(path))["summary"]["compile_profile"]
    for key, value in profile.items():
        if key.endswith("_ms"):
            assert isinstance(value, (int, float)) and value >= 0, (key, value)
    print(f"{os.path.basename(path)}: partitions {profile['partitions']} "
          f"threads {profile['threads']} generic_tuned {profile['generic_tuned']} "
          f"fast_glue {profile['fast_glue']}")
