"""The CI output formats (sarif, github, junit, gitlab) on one fixed set of findings.

Each format is compared with its exact expected document, written out below;
the SARIF log is also validated against the official SARIF 2.1.0 schema
(tests/data/sarif-schema-2.1.0.json, draft-07), the JUnit XML is parsed back,
and the GitHub commands are decoded the way the Actions runner decodes them.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import jsonschema
import pytest

from contentlint.model import (Applicability, Diagnostic, Edit, Fix, FixEdit, Position,
                               Severity)
from contentlint.report import ReportContext, renderer
from contentlint.report.common import DOCS_URL
from contentlint.report import github, gitlab, junit, sarif
from tests.conftest import run_cli

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
CI_FORMATS = ("sarif", "github", "junit", "gitlab")

P = Position
CAFE = "seeds/café au lait.md"  # a space and a non-ASCII letter
ODD = "seeds/odd,name: v2.md"  # a comma and a colon (GitHub property escaping)
PLAIN = "seeds/plain.md"
TRICKY = 'unknown key `a,b: c` is 100% <not> & "allowed"\nsee: line two\r\nend'


def findings() -> list[Diagnostic]:
    """Errors, warnings and infos; safe, unsafe and display-only fixes; a multi-line span;
    a zero-width span; two identical findings in one file; a message that needs
    escaping in every format."""
    found = [
        Diagnostic(CAFE, "CL104", "unknown-field", Severity.WARNING, P(2, 1), P(2, 9), TRICKY),
        Diagnostic(CAFE, "CL200", "mojibake", Severity.ERROR, P(3, 8), P(3, 20),
                   "mojibake in `title`: 'Securityâ€™s' reads as 'Security’s'",
                   Fix.of("Repair the mojibake", Applicability.SAFE, Edit(30, 42, "Security’s")),
                   (FixEdit(P(3, 8), P(3, 20), "Security’s"),)),
        Diagnostic(ODD, "CL005", "byte-order-mark", Severity.ERROR, P(1, 1), P(1, 1),
                   "file starts with a UTF-8 byte order mark",
                   Fix.of("Remove the byte order mark", Applicability.SAFE, Edit(0, 1, "")),
                   (FixEdit(P(1, 1), P(1, 1), ""),)),
        Diagnostic(PLAIN, "CL300", "duplicate-related-url", Severity.WARNING, P(12, 5), P(15, 1),
                   "`related[3]` repeats the webUrl of `related[1]`",
                   Fix.of("Remove the later entry", Applicability.UNSAFE, Edit(200, 260, "")),
                   (FixEdit(P(12, 3), P(15, 1), ""),)),
        Diagnostic(PLAIN, "CL403", "amp-variant-absent", Severity.INFO, P(20, 12), P(20, 40),
                   "entry has no AMP fields"),
        Diagnostic(PLAIN, "CL403", "amp-variant-absent", Severity.INFO, P(25, 12), P(25, 40),
                   "entry has no AMP fields"),
        Diagnostic(PLAIN, "CL200", "mojibake", Severity.ERROR, P(30, 10), P(30, 15),
                   "mojibake in `title`: 'Ã‡a' may read as 'Ça'",
                   Fix.of("Guess: 'Ça'", Applicability.DISPLAY_ONLY, Edit(400, 405, "Ça")),
                   (FixEdit(P(30, 10), P(30, 15), "Ça"),)),
    ]
    return sorted(found, key=lambda d: d.sort_key)


def context() -> ReportContext:
    return ReportContext(files_checked=4, tool_version="0.1.0",
                         checked_paths=[CAFE, "seeds/clean.md", ODD, PLAIN])


# Rule metadata as the registry would give it, fixed here so the SARIF
# document does not change when rule docs are edited. CL104, CL300 and CL403
# are left out on purpose: a code the registry does not know still gets a
# descriptor (name from the finding, help pointer).
STUB_RULES = {
    "CL005": SimpleNamespace(code="CL005", name="byte-order-mark", severity=Severity.WARNING,
                             default_enabled=True, fix=Applicability.SAFE,
                             summary="Finds a UTF-8 byte order mark.",
                             doc="Finds a UTF-8 byte order mark.\n\n## What it does\nReports a BOM."),
    "CL200": SimpleNamespace(code="CL200", name="mojibake", severity=Severity.ERROR,
                             default_enabled=True, fix=Applicability.SAFE,
                             summary="Finds mojibake.",
                             doc="Finds mojibake.\n\n## Fix safety\nSafe when a pure re-decode."),
}


@pytest.fixture
def stub_rules(monkeypatch):
    monkeypatch.setattr(sarif, "registered_rules", lambda: dict(STUB_RULES))


# The exact documents for findings() and context(), written out.

EXPECTED_GITHUB = r'''
::warning file=seeds/café au lait.md,line=2,col=1,endLine=2,endColumn=9,title=CL104 unknown-field::seeds/café au lait.md:2:1: CL104 unknown key `a,b: c` is 100%25 <not> & "allowed"%0Asee: line two%0D%0Aend%0ADocs: run `contentlint rule CL104` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104
::error file=seeds/café au lait.md,line=3,col=8,endLine=3,endColumn=20,title=CL200 mojibake::seeds/café au lait.md:3:8: CL200 mojibake in `title`: 'Securityâ€™s' reads as 'Security’s'%0AFix (safe): Repair the mojibake; fixable with `contentlint fix`%0ADocs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200
::error file=seeds/odd%2Cname%3A v2.md,line=1,col=1,endLine=1,endColumn=1,title=CL005 byte-order-mark::seeds/odd,name: v2.md:1:1: CL005 file starts with a UTF-8 byte order mark%0AFix (safe): Remove the byte order mark; fixable with `contentlint fix`%0ADocs: run `contentlint rule CL005` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl005
::warning file=seeds/plain.md,line=12,endLine=15,title=CL300 duplicate-related-url::seeds/plain.md:12:5: CL300 `related[3]` repeats the webUrl of `related[1]`%0AFix (unsafe): Remove the later entry; fixable with `contentlint fix --unsafe-fixes`%0ADocs: run `contentlint rule CL300` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl300
::notice file=seeds/plain.md,line=20,col=12,endLine=20,endColumn=40,title=CL403 amp-variant-absent::seeds/plain.md:20:12: CL403 entry has no AMP fields%0ADocs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403
::notice file=seeds/plain.md,line=25,col=12,endLine=25,endColumn=40,title=CL403 amp-variant-absent::seeds/plain.md:25:12: CL403 entry has no AMP fields%0ADocs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403
::error file=seeds/plain.md,line=30,col=10,endLine=30,endColumn=15,title=CL200 mojibake::seeds/plain.md:30:10: CL200 mojibake in `title`: 'Ã‡a' may read as 'Ça'%0ASuggested fix (apply by hand): Guess: 'Ça'%0ADocs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200
'''[1:]

EXPECTED_JUNIT = r'''
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="contentlint" tests="8" failures="7" errors="0">
  <testsuite name="seeds/café au lait.md" tests="2" failures="2" errors="0" skipped="0" file="seeds/café au lait.md">
    <testcase name="CL104 unknown-field at 2:1" classname="seeds/café au lait.md">
      <failure message="CL104 unknown key `a,b: c` is 100% &lt;not&gt; &amp; &quot;allowed&quot;&#10;see: line two&#13;&#10;end" type="warning">seeds/café au lait.md:2:1: CL104 unknown key `a,b: c` is 100% &lt;not&gt; &amp; "allowed"
see: line two&#13;
end
Docs: run `contentlint rule CL104` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104</failure>
    </testcase>
    <testcase name="CL200 mojibake at 3:8" classname="seeds/café au lait.md">
      <failure message="CL200 mojibake in `title`: 'Securityâ€™s' reads as 'Security’s'" type="error">seeds/café au lait.md:3:8: CL200 mojibake in `title`: 'Securityâ€™s' reads as 'Security’s'
Fix (safe): Repair the mojibake; fixable with `contentlint fix`
Docs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200</failure>
    </testcase>
  </testsuite>
  <testsuite name="seeds/clean.md" tests="1" failures="0" errors="0" skipped="0" file="seeds/clean.md">
    <testcase name="no findings" classname="seeds/clean.md" />
  </testsuite>
  <testsuite name="seeds/odd,name: v2.md" tests="1" failures="1" errors="0" skipped="0" file="seeds/odd,name: v2.md">
    <testcase name="CL005 byte-order-mark at 1:1" classname="seeds/odd,name: v2.md">
      <failure message="CL005 file starts with a UTF-8 byte order mark" type="error">seeds/odd,name: v2.md:1:1: CL005 file starts with a UTF-8 byte order mark
Fix (safe): Remove the byte order mark; fixable with `contentlint fix`
Docs: run `contentlint rule CL005` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl005</failure>
    </testcase>
  </testsuite>
  <testsuite name="seeds/plain.md" tests="4" failures="4" errors="0" skipped="0" file="seeds/plain.md">
    <testcase name="CL300 duplicate-related-url at 12:5" classname="seeds/plain.md">
      <failure message="CL300 `related[3]` repeats the webUrl of `related[1]`" type="warning">seeds/plain.md:12:5: CL300 `related[3]` repeats the webUrl of `related[1]`
Fix (unsafe): Remove the later entry; fixable with `contentlint fix --unsafe-fixes`
Docs: run `contentlint rule CL300` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl300</failure>
    </testcase>
    <testcase name="CL403 amp-variant-absent at 20:12" classname="seeds/plain.md">
      <failure message="CL403 entry has no AMP fields" type="info">seeds/plain.md:20:12: CL403 entry has no AMP fields
Docs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403</failure>
    </testcase>
    <testcase name="CL403 amp-variant-absent at 25:12" classname="seeds/plain.md">
      <failure message="CL403 entry has no AMP fields" type="info">seeds/plain.md:25:12: CL403 entry has no AMP fields
Docs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403</failure>
    </testcase>
    <testcase name="CL200 mojibake at 30:10" classname="seeds/plain.md">
      <failure message="CL200 mojibake in `title`: 'Ã‡a' may read as 'Ça'" type="error">seeds/plain.md:30:10: CL200 mojibake in `title`: 'Ã‡a' may read as 'Ça'
Suggested fix (apply by hand): Guess: 'Ça'
Docs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200</failure>
    </testcase>
  </testsuite>
</testsuites>
'''[1:]

EXPECTED_GITLAB = r'''
[
  {
    "type": "issue",
    "check_name": "CL104",
    "description": "CL104 unknown-field: unknown key `a,b: c` is 100% <not> & \"allowed\"\nsee: line two\r\nend (docs: `contentlint rule CL104`)",
    "content": {
      "body": "unknown key `a,b: c` is 100% <not> & \"allowed\"\nsee: line two\r\nend\n\nDocs: run `contentlint rule CL104` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104"
    },
    "categories": [
      "Style"
    ],
    "fingerprint": "5d389fe8f95445f24760208d4d2e445c5d052cd191d0f1284dc703ee7a964127",
    "severity": "minor",
    "location": {
      "path": "seeds/café au lait.md",
      "positions": {
        "begin": {
          "line": 2,
          "column": 1
        },
        "end": {
          "line": 2,
          "column": 9
        }
      }
    }
  },
  {
    "type": "issue",
    "check_name": "CL200",
    "description": "CL200 mojibake: mojibake in `title`: 'Securityâ€™s' reads as 'Security’s' (docs: `contentlint rule CL200`)",
    "content": {
      "body": "mojibake in `title`: 'Securityâ€™s' reads as 'Security’s'\n\nFix (safe): Repair the mojibake; fixable with `contentlint fix`\n\nDocs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200"
    },
    "categories": [
      "Bug Risk"
    ],
    "fingerprint": "e529e2c44d3861fa116e6d6582e2d6dd7deb44f0b68b007c5a342e144192f470",
    "severity": "major",
    "location": {
      "path": "seeds/café au lait.md",
      "positions": {
        "begin": {
          "line": 3,
          "column": 8
        },
        "end": {
          "line": 3,
          "column": 20
        }
      }
    }
  },
  {
    "type": "issue",
    "check_name": "CL005",
    "description": "CL005 byte-order-mark: file starts with a UTF-8 byte order mark (docs: `contentlint rule CL005`)",
    "content": {
      "body": "file starts with a UTF-8 byte order mark\n\nFix (safe): Remove the byte order mark; fixable with `contentlint fix`\n\nDocs: run `contentlint rule CL005` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl005"
    },
    "categories": [
      "Bug Risk"
    ],
    "fingerprint": "b0f1abfc5db303ced0fba4bd24a9fdb48d6806a28fbcff835f2df541e74a1f7a",
    "severity": "major",
    "location": {
      "path": "seeds/odd,name: v2.md",
      "positions": {
        "begin": {
          "line": 1,
          "column": 1
        },
        "end": {
          "line": 1,
          "column": 1
        }
      }
    }
  },
  {
    "type": "issue",
    "check_name": "CL300",
    "description": "CL300 duplicate-related-url: `related[3]` repeats the webUrl of `related[1]` (docs: `contentlint rule CL300`)",
    "content": {
      "body": "`related[3]` repeats the webUrl of `related[1]`\n\nFix (unsafe): Remove the later entry; fixable with `contentlint fix --unsafe-fixes`\n\nDocs: run `contentlint rule CL300` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl300"
    },
    "categories": [
      "Style"
    ],
    "fingerprint": "f87c106da7b79c69a459ece9b6802f84ae8aaffcb7e92c84475d6bad65aa65eb",
    "severity": "minor",
    "location": {
      "path": "seeds/plain.md",
      "positions": {
        "begin": {
          "line": 12,
          "column": 5
        },
        "end": {
          "line": 15,
          "column": 1
        }
      }
    }
  },
  {
    "type": "issue",
    "check_name": "CL403",
    "description": "CL403 amp-variant-absent: entry has no AMP fields (docs: `contentlint rule CL403`)",
    "content": {
      "body": "entry has no AMP fields\n\nDocs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403"
    },
    "categories": [
      "Style"
    ],
    "fingerprint": "ecce26484e600021197fb0625419cf364f933c67d2e1290e03700a406544938b",
    "severity": "info",
    "location": {
      "path": "seeds/plain.md",
      "positions": {
        "begin": {
          "line": 20,
          "column": 12
        },
        "end": {
          "line": 20,
          "column": 40
        }
      }
    }
  },
  {
    "type": "issue",
    "check_name": "CL403",
    "description": "CL403 amp-variant-absent: entry has no AMP fields (docs: `contentlint rule CL403`)",
    "content": {
      "body": "entry has no AMP fields\n\nDocs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403"
    },
    "categories": [
      "Style"
    ],
    "fingerprint": "bfcf3e18b441d41cce66993ce547f489e547a8366b4ffa048de519247c2789a7",
    "severity": "info",
    "location": {
      "path": "seeds/plain.md",
      "positions": {
        "begin": {
          "line": 25,
          "column": 12
        },
        "end": {
          "line": 25,
          "column": 40
        }
      }
    }
  },
  {
    "type": "issue",
    "check_name": "CL200",
    "description": "CL200 mojibake: mojibake in `title`: 'Ã‡a' may read as 'Ça' (docs: `contentlint rule CL200`)",
    "content": {
      "body": "mojibake in `title`: 'Ã‡a' may read as 'Ça'\n\nSuggested fix (apply by hand): Guess: 'Ça'\n\nDocs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200"
    },
    "categories": [
      "Bug Risk"
    ],
    "fingerprint": "9e2a03ad2d7be4ce47f8f6d1b619b4aa2eeeddf2e3f16fa3ed44cefa972368a4",
    "severity": "major",
    "location": {
      "path": "seeds/plain.md",
      "positions": {
        "begin": {
          "line": 30,
          "column": 10
        },
        "end": {
          "line": 30,
          "column": 15
        }
      }
    }
  }
]
'''[1:]

EXPECTED_SARIF = r'''
{
  "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "contentlint",
          "informationUri": "https://github.com/contentlint/contentlint",
          "version": "0.1.0",
          "rules": [
            {
              "id": "CL005",
              "name": "byte-order-mark",
              "shortDescription": {
                "text": "Finds a UTF-8 byte order mark."
              },
              "fullDescription": {
                "text": "Finds a UTF-8 byte order mark.\n\n## What it does\nReports a BOM.",
                "markdown": "Finds a UTF-8 byte order mark.\n\n## What it does\nReports a BOM."
              },
              "helpUri": "https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl005",
              "help": {
                "text": "Finds a UTF-8 byte order mark.\n\n## What it does\nReports a BOM.\n\nDocs: run `contentlint rule CL005` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl005",
                "markdown": "Finds a UTF-8 byte order mark.\n\n## What it does\nReports a BOM.\n\nDocs: run `contentlint rule CL005` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl005"
              },
              "defaultConfiguration": {
                "enabled": true,
                "level": "warning"
              },
              "properties": {
                "fix": "safe"
              }
            },
            {
              "id": "CL104",
              "name": "unknown-field",
              "shortDescription": {
                "text": "CL104 unknown-field"
              },
              "fullDescription": {
                "text": "CL104 unknown-field"
              },
              "helpUri": "https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104",
              "help": {
                "text": "Docs: run `contentlint rule CL104` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104",
                "markdown": "Docs: run `contentlint rule CL104` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104"
              }
            },
            {
              "id": "CL200",
              "name": "mojibake",
              "shortDescription": {
                "text": "Finds mojibake."
              },
              "fullDescription": {
                "text": "Finds mojibake.\n\n## Fix safety\nSafe when a pure re-decode.",
                "markdown": "Finds mojibake.\n\n## Fix safety\nSafe when a pure re-decode."
              },
              "helpUri": "https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200",
              "help": {
                "text": "Finds mojibake.\n\n## Fix safety\nSafe when a pure re-decode.\n\nDocs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200",
                "markdown": "Finds mojibake.\n\n## Fix safety\nSafe when a pure re-decode.\n\nDocs: run `contentlint rule CL200` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200"
              },
              "defaultConfiguration": {
                "enabled": true,
                "level": "error"
              },
              "properties": {
                "fix": "safe"
              }
            },
            {
              "id": "CL300",
              "name": "duplicate-related-url",
              "shortDescription": {
                "text": "CL300 duplicate-related-url"
              },
              "fullDescription": {
                "text": "CL300 duplicate-related-url"
              },
              "helpUri": "https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl300",
              "help": {
                "text": "Docs: run `contentlint rule CL300` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl300",
                "markdown": "Docs: run `contentlint rule CL300` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl300"
              }
            },
            {
              "id": "CL403",
              "name": "amp-variant-absent",
              "shortDescription": {
                "text": "CL403 amp-variant-absent"
              },
              "fullDescription": {
                "text": "CL403 amp-variant-absent"
              },
              "helpUri": "https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403",
              "help": {
                "text": "Docs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403",
                "markdown": "Docs: run `contentlint rule CL403` or see https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl403"
              }
            }
          ]
        }
      },
      "columnKind": "unicodeCodePoints",
      "results": [
        {
          "ruleId": "CL104",
          "ruleIndex": 1,
          "level": "warning",
          "message": {
            "text": "unknown key `a,b: c` is 100% <not> & \"allowed\"\nsee: line two\r\nend"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/caf%C3%A9%20au%20lait.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 2,
                  "startColumn": 1,
                  "endLine": 2,
                  "endColumn": 9
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "5d389fe8f95445f24760208d4d2e445c5d052cd191d0f1284dc703ee7a964127"
          }
        },
        {
          "ruleId": "CL200",
          "ruleIndex": 2,
          "level": "error",
          "message": {
            "text": "mojibake in `title`: 'Securityâ€™s' reads as 'Security’s'"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/caf%C3%A9%20au%20lait.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 3,
                  "startColumn": 8,
                  "endLine": 3,
                  "endColumn": 20
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "e529e2c44d3861fa116e6d6582e2d6dd7deb44f0b68b007c5a342e144192f470"
          },
          "fixes": [
            {
              "description": {
                "text": "Repair the mojibake"
              },
              "artifactChanges": [
                {
                  "artifactLocation": {
                    "uri": "seeds/caf%C3%A9%20au%20lait.md",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "replacements": [
                    {
                      "deletedRegion": {
                        "startLine": 3,
                        "startColumn": 8,
                        "endLine": 3,
                        "endColumn": 20
                      },
                      "insertedContent": {
                        "text": "Security’s"
                      }
                    }
                  ]
                }
              ]
            }
          ],
          "properties": {
            "fix": "safe"
          }
        },
        {
          "ruleId": "CL005",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "file starts with a UTF-8 byte order mark"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/odd%2Cname%3A%20v2.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 1,
                  "startColumn": 1,
                  "endLine": 1,
                  "endColumn": 1
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "b0f1abfc5db303ced0fba4bd24a9fdb48d6806a28fbcff835f2df541e74a1f7a"
          },
          "fixes": [
            {
              "description": {
                "text": "Remove the byte order mark"
              },
              "artifactChanges": [
                {
                  "artifactLocation": {
                    "uri": "seeds/odd%2Cname%3A%20v2.md",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "replacements": [
                    {
                      "deletedRegion": {
                        "startLine": 1,
                        "startColumn": 1,
                        "endLine": 1,
                        "endColumn": 1
                      }
                    }
                  ]
                }
              ]
            }
          ],
          "properties": {
            "fix": "safe"
          }
        },
        {
          "ruleId": "CL300",
          "ruleIndex": 3,
          "level": "warning",
          "message": {
            "text": "`related[3]` repeats the webUrl of `related[1]`"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/plain.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 12,
                  "startColumn": 5,
                  "endLine": 15,
                  "endColumn": 1
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "f87c106da7b79c69a459ece9b6802f84ae8aaffcb7e92c84475d6bad65aa65eb"
          },
          "fixes": [
            {
              "description": {
                "text": "Remove the later entry"
              },
              "artifactChanges": [
                {
                  "artifactLocation": {
                    "uri": "seeds/plain.md",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "replacements": [
                    {
                      "deletedRegion": {
                        "startLine": 12,
                        "startColumn": 3,
                        "endLine": 15,
                        "endColumn": 1
                      }
                    }
                  ]
                }
              ]
            }
          ],
          "properties": {
            "fix": "unsafe"
          }
        },
        {
          "ruleId": "CL403",
          "ruleIndex": 4,
          "level": "note",
          "message": {
            "text": "entry has no AMP fields"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/plain.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 20,
                  "startColumn": 12,
                  "endLine": 20,
                  "endColumn": 40
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "ecce26484e600021197fb0625419cf364f933c67d2e1290e03700a406544938b"
          }
        },
        {
          "ruleId": "CL403",
          "ruleIndex": 4,
          "level": "note",
          "message": {
            "text": "entry has no AMP fields"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/plain.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 25,
                  "startColumn": 12,
                  "endLine": 25,
                  "endColumn": 40
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "bfcf3e18b441d41cce66993ce547f489e547a8366b4ffa048de519247c2789a7"
          }
        },
        {
          "ruleId": "CL200",
          "ruleIndex": 2,
          "level": "error",
          "message": {
            "text": "mojibake in `title`: 'Ã‡a' may read as 'Ça'"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "seeds/plain.md",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 30,
                  "startColumn": 10,
                  "endLine": 30,
                  "endColumn": 15
                }
              }
            }
          ],
          "partialFingerprints": {
            "contentlint/v1": "9e2a03ad2d7be4ce47f8f6d1b619b4aa2eeeddf2e3f16fa3ed44cefa972368a4"
          },
          "fixes": [
            {
              "description": {
                "text": "Guess: 'Ça'"
              },
              "artifactChanges": [
                {
                  "artifactLocation": {
                    "uri": "seeds/plain.md",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "replacements": [
                    {
                      "deletedRegion": {
                        "startLine": 30,
                        "startColumn": 10,
                        "endLine": 30,
                        "endColumn": 15
                      },
                      "insertedContent": {
                        "text": "Ça"
                      }
                    }
                  ]
                }
              ]
            }
          ],
          "properties": {
            "fix": "display-only"
          }
        }
      ]
    }
  ]
}
'''[1:]

EXPECTED = {"sarif": EXPECTED_SARIF, "github": EXPECTED_GITHUB, "junit": EXPECTED_JUNIT, "gitlab": EXPECTED_GITLAB}


# -- the exact documents ---------------------------------------------------------


@pytest.mark.parametrize("name", CI_FORMATS)
def test_exact_document(name, stub_rules):
    out = renderer(name)(findings(), context())
    assert out == EXPECTED[name]


@pytest.mark.parametrize("name", CI_FORMATS)
def test_output_is_deterministic_and_utf8(name, stub_rules):
    first = renderer(name)(findings(), context())
    assert renderer(name)(list(findings()), context()) == first
    first.encode("utf-8")


def test_format_table_points_at_these_modules():
    for name, module in (("sarif", sarif), ("github", github), ("junit", junit), ("gitlab", gitlab)):
        assert renderer(name) is module.render


@pytest.mark.parametrize("name", CI_FORMATS)
def test_every_finding_carries_code_position_and_rule_pointer(name, stub_rules):
    out = renderer(name)(findings(), context())
    if name == "sarif":
        run = json.loads(out)["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        records = []
        for result in run["results"]:
            rule = rules[result["ruleIndex"]]
            assert rule["id"] == result["ruleId"]
            region = result["locations"][0]["physicalLocation"]["region"]
            records.append((result["ruleId"], region["startLine"], region["startColumn"],
                            rule["help"]["text"] + rule["helpUri"]))
    elif name == "gitlab":
        records = [(i["check_name"], i["location"]["positions"]["begin"]["line"],
                    i["location"]["positions"]["begin"]["column"], i["description"] + i["content"]["body"])
                   for i in json.loads(out)]
    elif name == "junit":
        records = [(case.find("failure").get("message").split()[0], *junit_position(case),
                    case.find("failure").text)
                   for case in ET.fromstring(out).iter("testcase") if case.find("failure") is not None]
    else:
        records = []
        for line in out.splitlines():
            command, props, data = decode_workflow_command(line)
            column = data.removeprefix(props["file"] + ":").split(":")[1]
            records.append((props["title"].split()[0], int(props["line"]), int(column), data))
    assert [r[:3] for r in records] == [(d.code, d.start.line, d.start.column) for d in findings()]
    for (code, _, _, text), d in zip(records, findings()):
        assert f"contentlint rule {code}" in text
        assert DOCS_URL.format(code=code.lower()) in text


# -- SARIF -------------------------------------------------------------------------


def validate_sarif(out: str) -> dict:
    log = json.loads(out)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return log


def test_sarif_validates_against_the_official_schema(stub_rules):
    log = validate_sarif(sarif.render(findings(), context()))
    assert len(log["runs"][0]["results"]) == len(findings())


def test_sarif_validates_with_the_real_registry():
    # Whatever rules are registered right now (unknown codes fall back to the finding's name).
    validate_sarif(sarif.render(findings(), context()))


def test_sarif_empty_run_validates(stub_rules):
    log = validate_sarif(sarif.render([], ReportContext()))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"] == {
        "name": "contentlint", "informationUri": "https://github.com/contentlint/contentlint", "rules": []}


def test_sarif_schema_copy_is_the_official_one():
    import hashlib
    digest = hashlib.sha256(SCHEMA.read_bytes()).hexdigest()
    assert digest == "7b5c18690a12097ce85f2dac4f3fe576ca528689af95415c8c6d222caf87084e"


def test_sarif_paths_become_uris(tmp_path, stub_rules):
    absolute = str(tmp_path / "a b" / "x.md")
    assert sarif.artifact_location(absolute) == {"uri": Path(absolute).as_uri()}
    assert " " not in sarif.artifact_location(absolute)["uri"]
    assert sarif.artifact_location("./seeds/x.md") == {"uri": "seeds/x.md", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("100%.md")["uri"] == "100%25.md"


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names are bytes")
def test_non_utf8_file_names_survive_every_format(stub_rules):
    path = os.fsdecode(b"seeds/caf\xe9.md")  # a Latin-1 name, as os.listdir returns it
    d = Diagnostic(path, "CL200", "mojibake", Severity.ERROR, P(1, 1), P(1, 2), "bad")
    ctx = ReportContext(checked_paths=[path])
    for name in CI_FORMATS:
        renderer(name)([d], ctx).encode("utf-8")  # no lone surrogates left
    log = validate_sarif(sarif.render([d], ctx))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "seeds/caf%E9.md"  # the real bytes, percent-encoded
    ET.fromstring(junit.render([d], ctx))


# -- GitHub ------------------------------------------------------------------------


def decode_workflow_command(line: str) -> tuple[str, dict, str]:
    """Split and unescape ``::command k=v,…::data`` as the Actions runner does
    (ActionCommand.TryParseV2: the first ``::`` after the command ends the properties)."""
    assert line.startswith("::")
    head, sep, data = line[2:].partition("::")
    assert sep
    command, _, raw_props = head.partition(" ")
    props = {}
    for pair in raw_props.split(","):
        key, _, value = pair.partition("=")
        props[key] = (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
                      .replace("%2C", ",").replace("%25", "%"))
    data = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    return command, props, data


def test_github_commands_decode_back_to_the_findings():
    tricky = Diagnostic("dir,x/100%: a%0A.md", "CL104", "unknown-field", Severity.INFO,
                        P(4, 2), P(4, 7), "a::b, c:d 50%25 %0A\r\nx")
    ctx = context()
    for d in [*findings(), tricky]:
        line = github.annotation(d, ctx)
        assert "\n" not in line and "\r" not in line
        command, props, data = decode_workflow_command(line)
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[d.severity.label]
        assert props["file"] == d.path
        assert props["line"] == str(d.start.line) and props["endLine"] == str(d.end.line)
        assert props["title"] == f"{d.code} {d.name}"
        if d.start.line == d.end.line:
            assert (props["col"], props["endColumn"]) == (str(d.start.column), str(d.end.column))
        else:  # the runner drops columns of a multi-line annotation
            assert "col" not in props and "endColumn" not in props
        assert data.startswith(f"{d.path}:{d.start.line}:{d.start.column}: {d.code} {d.message}\n")
        assert data.endswith(f"\nDocs: run `contentlint rule {d.code}` or see "
                             + DOCS_URL.format(code=d.code.lower()))


def test_github_a_record_cannot_forge_a_command():
    # A newline in the path or message is percent-encoded (decoded back exactly);
    # ESC, C1 and bidi controls, which the runner does not decode, are shown escaped.
    d = Diagnostic("a\n::error file=x::y\x1b[2J.md", "CL104", "unknown-field", Severity.ERROR,
                   P(3, 1), P(3, 9), "key `\n::warning::fake\x1b[2J\x9b\u202e` \r\n::notice::z")
    line = github.annotation(d, context())
    assert line.startswith("::error file=a%0A%3A%3Aerror file=x%3A%3Ay\\x1b[2J.md,line=3,col=1,")
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x9b" not in line
    assert line.split("::")[1].endswith(",title=CL104 unknown-field")  # no `::` inside the properties
    _, props, data = decode_workflow_command(line)
    assert props["file"] == "a\n::error file=x::y\\x1b[2J.md"
    assert data.startswith("a\n::error file=x::y\\x1b[2J.md:3:1: CL104 "
                           "key `\n::warning::fake\\x1b[2J\\x9b\\u202e` \r\n::notice::z\n")


def test_github_file_is_the_repository_path():
    # `contentlint check .` finds ./seeds/a.md; GitHub matches seeds/a.md.
    d = Diagnostic("./seeds/a.md", "CL200", "mojibake", Severity.ERROR, P(1, 1), P(1, 2), "m")
    assert github.render([d], context()).startswith(
        "::error file=seeds/a.md,line=1,col=1,endLine=1,endColumn=2,title=CL200 mojibake::seeds/a.md:1:1: CL200 m%0A")


def test_github_no_findings_prints_nothing():
    assert github.render([], context()) == ""


# -- JUnit -------------------------------------------------------------------------


def junit_position(case: ET.Element) -> tuple[int, int]:
    """(line, column) from a test name "CODE name at LINE:COL[ #N]"."""
    line, column = case.get("name").split(" at ")[1].split()[0].split(":")
    return int(line), int(column)


def test_junit_parses_back_with_the_findings():
    root = ET.fromstring(junit.render(findings(), context()))
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "contentlint", "tests": "8", "failures": "7", "errors": "0"}
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [CAFE, "seeds/clean.md", ODD, PLAIN]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
    cases = [(s, c) for s in suites for c in s.iter("testcase") if c.find("failure") is not None]
    for (suite, case), d in zip(cases, findings(), strict=True):
        failure = case.find("failure")
        assert case.get("classname") == d.path and suite.get("file") == d.path
        assert case.get("name") == f"{d.code} {d.name} at {d.start.line}:{d.start.column}"
        assert failure.get("message") == f"{d.code} {d.message}"  # <, &, quotes, CR, LF intact
        assert failure.get("type") == d.severity.label
        assert failure.text.startswith(f"{d.path}:{d.start.line}:{d.start.column}: {d.code} {d.message}\n")
    clean = suites[1].find("testcase")
    assert clean.attrib == {"name": "no findings", "classname": "seeds/clean.md"}
    assert list(clean) == []


def test_junit_test_names_are_unique_per_file():
    # Several missing fields are reported at the same mapping; paths lose "./".
    found = [Diagnostic("./a.md", "CL101", "missing-field", Severity.ERROR, P(2, 1), P(2, 9),
                        f"missing required field `{field}`") for field in ("excerpt", "title", "type")]
    root = ET.fromstring(junit.render(found, ReportContext(checked_paths=["./a.md", "b.md"])))
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in root] == [
        ("a.md", "3", "3"), ("b.md", "1", "0")]
    assert [c.get("name") for c in root.iter("testcase")] == [
        "CL101 missing-field at 2:1", "CL101 missing-field at 2:1 #2", "CL101 missing-field at 2:1 #3",
        "no findings"]
    assert {c.get("classname") for c in root.iter("testcase")} == {"a.md", "b.md"}


def test_junit_replaces_characters_xml_cannot_carry():
    d = Diagnostic("a\x01.md", "CL202", "invisible-character", Severity.WARNING, P(1, 1), P(1, 2),
                   "control chars \x00 \x07 \x1b \ufffe and \ud800 in `title`")
    root = ET.fromstring(junit.render([d], ReportContext()))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "CL202 control chars \\x00 \\x07 \\x1b \\ufffe and \\ud800 in `title`"
    assert root.find("testsuite").get("name") == "a\\x01.md"


def test_junit_empty_run_still_has_a_test():
    # Jenkins fails a build whose report has no test at all.
    assert junit.render([], ReportContext()) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="contentlint" tests="1" failures="0" errors="0">\n'
        '  <testsuite name="contentlint" tests="1" failures="0" errors="0" skipped="0">\n'
        '    <testcase name="no findings" classname="contentlint" />\n'
        '  </testsuite>\n'
        '</testsuites>\n')


# -- GitLab ------------------------------------------------------------------------


def shifted(d: Diagnostic, lines: int) -> Diagnostic:
    return Diagnostic(d.path, d.code, d.name, d.severity, P(d.start.line + lines, d.start.column),
                      P(d.end.line + lines, d.end.column), d.message, d.fix, d.fix_edits)


def test_gitlab_fingerprints_are_unique_and_ignore_line_shifts():
    before = gitlab.fingerprints(findings())
    assert len(set(before)) == len(before)  # the two identical CL403 findings differ by rank
    assert gitlab.fingerprints([shifted(d, 7) for d in findings()]) == before
    # Findings of other files do not disturb a file's fingerprints.
    only_plain = [d for d in findings() if d.path == PLAIN]
    assert gitlab.fingerprints(only_plain) == [fp for fp, d in zip(before, findings()) if d.path == PLAIN]


def test_gitlab_fingerprint_changes_with_code_path_or_message():
    d = findings()[0]
    base = gitlab.fingerprints([d])
    for other in (Diagnostic(d.path, "CL100", d.name, d.severity, d.start, d.end, d.message),
                  Diagnostic("seeds/other.md", d.code, d.name, d.severity, d.start, d.end, d.message),
                  Diagnostic(d.path, d.code, d.name, d.severity, d.start, d.end, "another value")):
        assert gitlab.fingerprints([other]) != base


def test_gitlab_paths_are_relative_and_slash_separated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = findings()[-1]
    variants = [d.path, "./" + d.path, str(tmp_path / d.path)]
    issues = [json.loads(gitlab.render([Diagnostic(p, d.code, d.name, d.severity, d.start, d.end,
                                                   d.message)], context()))[0] for p in variants]
    assert {i["location"]["path"] for i in issues} == {PLAIN}
    assert len({i["fingerprint"] for i in issues}) == 1


def test_gitlab_severity_mapping():
    def severity(code, level):
        d = Diagnostic("a.md", code, "x", level, P(1, 1), P(1, 1), "m")
        return json.loads(gitlab.render([d], ReportContext()))[0]["severity"]

    assert severity("CL403", Severity.INFO) == "info"
    assert severity("CL300", Severity.WARNING) == "minor"
    assert severity("CL200", Severity.ERROR) == "major"
    for fatal in ("CL001", "CL002", "CL003", "CL006"):
        assert severity(fatal, Severity.ERROR) == "critical"
    assert severity("CL003", Severity.WARNING) == "minor"  # only errors are raised


def test_gitlab_empty_report_is_an_empty_array():
    assert gitlab.render([], ReportContext()) == "[]\n"


# -- end to end: the CLI on a small folder -----------------------------------------


def test_cli_formats_agree_with_json_on_a_fixture_folder(tmp_path, monkeypatch, capsys):
    """Every CI format, produced by `contentlint check`, reports the same findings
    (code, path, line, column) as `--format json`; SARIF validates; JUnit parses."""
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "sub dir" / "café.md").write_bytes(
        b'\xef\xbb\xbf---\ntitle: "a"\ntitle: b\nfoo: 1\n---\nbody\n')
    (tmp_path / "list.md").write_bytes(b"---\n- a\n---\n")
    (tmp_path / "bad.md").write_bytes(b"---\ntitle: [unclosed\n---\n")
    (tmp_path / "empty.txt").write_bytes(b"no front matter here\n")
    monkeypatch.chdir(tmp_path)

    def run(fmt):
        code, out, err = run_cli(["check", "--no-cache", "--format", fmt, "."], capsys)
        assert code == 1 and "Traceback" not in err
        return out

    def norm(path):
        return path.removeprefix("./")

    expected = [(f["code"], norm(f["path"]), f["line"], f["column"]) for f in json.loads(run("json"))]
    assert len(expected) >= 4

    log = validate_sarif(run("sarif"))
    got = [(r["ruleId"], unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"])
           for r in log["runs"][0]["results"]]
    assert got == expected

    issues = json.loads(run("gitlab"))
    assert [(i["check_name"], i["location"]["path"], i["location"]["positions"]["begin"]["line"],
             i["location"]["positions"]["begin"]["column"]) for i in issues] == expected
    assert len({i["fingerprint"] for i in issues}) == len(issues)

    got = []
    for line in run("github").splitlines():
        _, props, data = decode_workflow_command(line)
        column = data.removeprefix(props["file"] + ":").split(":")[1]
        got.append((props["title"].split()[0], props["file"], int(props["line"]), int(column)))
    assert got == expected

    root = ET.fromstring(run("junit"))
    got = [(c.find("failure").get("message").split()[0], s.get("file"), *junit_position(c))
           for s in root.iter("testsuite") for c in s.iter("testcase") if c.find("failure") is not None]
    assert sorted(got) == sorted(expected)
    assert root.get("failures") == str(len(expected))
