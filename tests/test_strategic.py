"""Strategic merge as `kubectl kustomize` (Kustomize v5.8.1) does it.

CASES is a table of (base, patches, expected) where every `expected` was recorded
from kubectl 1.37.1 (`kubectl kustomize` with `patches: [{path: ...}]`, one
resource per case); `rule` says what the case shows.  Errors record kubectl's
message (only its first line is compared).  Then: schema lookups, custom schemas,
hypothesis properties, and a differential test against kubectl when it is on PATH.
"""
from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import tempfile
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderer.core.errors import RenderError
from renderer.kustomize.openapi import MergeSchema
from renderer.kustomize.strategic import _Walker, apply_sm_patch, strategic_merge

BUILTIN = MergeSchema.builtin()

# fmt: off
CASES = [{'id': 'map-scalar-replace',
  'rule': 'scalars in the patch replace',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-scalar-replace'},
           'spec': {'replicas': 1, 'paused': False}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-scalar-replace'},
               'spec': {'replicas': 3}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-scalar-replace'},
               'spec': {'paused': False, 'replicas': 3}}},
 {'id': 'map-recursive',
  'rule': 'maps merge recursively',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-recursive'},
           'data': {'a': '1', 'b': '2'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-recursive'},
               'data': {'b': 'B', 'c': 'C'}}],
  'expected': {'apiVersion': 'v1',
               'data': {'a': '1', 'b': 'B', 'c': 'C'},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-recursive'}}},
 {'id': 'map-null-deletes',
  'rule': 'a null in the patch removes the field',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-null-deletes'},
           'data': {'a': '1', 'b': '2'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-null-deletes'},
               'data': {'a': None}}],
  'expected': {'apiVersion': 'v1',
               'data': {'b': '2'},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-null-deletes'}}},
 {'id': 'map-null-absent',
  'rule': 'a null for an absent field adds nothing',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-null-absent'},
           'data': {'a': '1'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-null-absent'},
               'data': {'z': None}}],
  'expected': {'apiVersion': 'v1',
               'data': {'a': '1'},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-null-absent'}}},
 {'id': 'map-base-null-kept',
  'rule': 'a null in the resource that the patch does not touch is kept',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-base-null-kept'},
           'spec': {'selector': None, 'replicas': 1}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-base-null-kept'},
               'spec': {'replicas': 2}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-base-null-kept'},
               'spec': {'replicas': 2, 'selector': None}}},
 {'id': 'map-base-null-then-map',
  'rule': 'a map in the patch replaces a null of the resource',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-base-null-then-map'},
           'spec': {'selector': None}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-base-null-then-map'},
               'spec': {'selector': {'matchLabels': {'a': 'b'}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-base-null-then-map'},
               'spec': {'selector': {'matchLabels': {'a': 'b'}}}}},
 {'id': 'map-patch-delete',
  'rule': '$patch: delete removes a map',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-patch-delete'},
           'spec': {'strategy': {'type': 'Recreate'}, 'replicas': 1}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-patch-delete'},
               'spec': {'strategy': {'$patch': 'delete'}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-patch-delete'},
               'spec': {'replicas': 1}}},
 {'id': 'map-patch-replace',
  'rule': "$patch: replace replaces a map by the patch's",
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-patch-replace'},
           'spec': {'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': 1}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-patch-replace'},
               'spec': {'strategy': {'$patch': 'replace', 'type': 'Recreate'}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-patch-replace'},
               'spec': {'strategy': {'type': 'Recreate'}}}},
 {'id': 'map-patch-merge',
  'rule': '$patch: merge is the default and is stripped',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-patch-merge'},
           'data': {'a': '1'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-patch-merge'},
               'data': {'$patch': 'merge', 'b': '2'}}],
  'expected': {'apiVersion': 'v1',
               'data': {'a': '1', 'b': '2'},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-patch-merge'}}},
 {'id': 'map-patch-unknown',
  'rule': 'an unknown $patch value is an error',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-patch-unknown'},
           'data': {'a': '1'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-patch-unknown'},
               'data': {'$patch': 'bogus'}}],
  'expected': {'error': "unknown patch strategy 'bogus'"}},
 {'id': 'map-new-subtree',
  'rule': 'a new subtree is the patch merged with itself: nulls vanish, directives apply, {} stays',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-new-subtree'},
           'spec': {'replicas': 3}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-new-subtree'},
               'spec': {'strategy': {'type': None,
                                     'rollingUpdate': {'$patch': 'delete'},
                                     'x': {'y': None}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-new-subtree'},
               'spec': {'replicas': 3, 'strategy': {'x': {}}}}},
 {'id': 'map-kind-conflict',
  'rule': 'a map in the resource and a scalar in the patch: error',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-kind-conflict'},
           'spec': {'replicas': {'a': 1}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-kind-conflict'},
               'spec': {'replicas': 3}}],
  'expected': {'error': 'wrong node kind: expected MappingNode but got ScalarNode: node contents:'}},
 {'id': 'map-kind-conflict-2',
  'rule': 'a scalar in the resource and a map in the patch: error',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'map-kind-conflict-2'},
           'spec': {'replicas': 3}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'map-kind-conflict-2'},
               'spec': {'replicas': {'a': 1}}}],
  'expected': {'error': 'wrong node kind: expected ScalarNode but got MappingNode: node contents:'}},
 {'id': 'map-top-delete',
  'rule': '$patch: delete at the top deletes the resource',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-top-delete'},
           'data': {'a': '1'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-top-delete'},
               '$patch': 'delete'}],
  'expected': None},
 {'id': 'map-top-replace',
  'rule': '$patch: replace at the top leaves the resource unchanged',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-top-replace'},
           'data': {'a': '1'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-top-replace'},
               '$patch': 'replace',
               'data': {'b': '2'}}],
  'expected': {'apiVersion': 'v1',
               'data': {'a': '1'},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-top-replace'}}},
 {'id': 'map-quoted-number-retyped',
  'rule': 'a number replacing a (necessarily quoted) numeric string becomes a string',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-quoted-number-retyped'},
           'data': {'a': '1', 'b': 'x'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-quoted-number-retyped'},
               'data': {'a': 2, 'b': 3}}],
  'expected': {'apiVersion': 'v1',
               'data': {'a': '2', 'b': 3},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-quoted-number-retyped'}}},
 {'id': 'map-name-namespace-kept',
  'rule': 'the resource keeps its name and namespace',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'map-name-namespace-kept', 'namespace': 'ns'},
           'data': {'a': '1'}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-name-namespace-kept', 'namespace': 'ns'},
               'data': {'a': '2'}}],
  'expected': {'apiVersion': 'v1',
               'data': {'a': '2'},
               'kind': 'ConfigMap',
               'metadata': {'name': 'map-name-namespace-kept', 'namespace': 'ns'}}},
 {'id': 'list-modify-moves-first',
  'rule': "patch elements come first, then the resource's others in order",
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-modify-moves-first'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'name': 'b', 'image': 'b'},
                                                         {'name': 'c', 'image': 'c'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-modify-moves-first'},
               'spec': {'template': {'spec': {'containers': [{'name': 'b', 'image': 'B'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-modify-moves-first'},
               'spec': {'template': {'spec': {'containers': [{'image': 'B', 'name': 'b'},
                                                             {'image': 'a', 'name': 'a'},
                                                             {'image': 'c', 'name': 'c'}]}}}}},
 {'id': 'list-add',
  'rule': "new elements in patch order, before the resource's",
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-add'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'name': 'b', 'image': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-add'},
               'spec': {'template': {'spec': {'containers': [{'name': 'z', 'image': 'z'},
                                                             {'name': 'a', 'image': 'A'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-add'},
               'spec': {'template': {'spec': {'containers': [{'image': 'z', 'name': 'z'},
                                                             {'image': 'A', 'name': 'a'},
                                                             {'image': 'b', 'name': 'b'}]}}}}},
 {'id': 'list-elem-delete',
  'rule': '$patch: delete on an element removes it',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-elem-delete'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'name': 'b', 'image': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-delete'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a', '$patch': 'delete'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-delete'},
               'spec': {'template': {'spec': {'containers': [{'image': 'b', 'name': 'b'}]}}}}},
 {'id': 'list-elem-delete-last',
  'rule': 'deleting the only element leaves an empty list',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-elem-delete-last'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-delete-last'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a', '$patch': 'delete'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-delete-last'},
               'spec': {'template': {'spec': {'containers': []}}}}},
 {'id': 'list-elem-delete-absent',
  'rule': 'deleting an absent element adds nothing',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-elem-delete-absent'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-delete-absent'},
               'spec': {'template': {'spec': {'containers': [{'name': 'q', '$patch': 'delete'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-delete-absent'},
               'spec': {'template': {'spec': {'containers': [{'image': 'a', 'name': 'a'}]}}}}},
 {'id': 'list-elem-replace-ignored',
  'rule': "$patch: replace on an element is ignored: the resource's element stays as it was",
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-elem-replace-ignored'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a', 'args': ['x']},
                                                         {'name': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-replace-ignored'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'image': 'A',
                                                              '$patch': 'replace'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-elem-replace-ignored'},
               'spec': {'template': {'spec': {'containers': [{'args': ['x'], 'image': 'a', 'name': 'a'},
                                                             {'name': 'b'}]}}}}},
 {'id': 'list-replace',
  'rule': 'a lone {$patch: replace} item replaces the list',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-replace'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'name': 'b', 'image': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-replace'},
               'spec': {'template': {'spec': {'containers': [{'$patch': 'replace'},
                                                             {'name': 'x', 'image': 'x'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-replace'},
               'spec': {'template': {'spec': {'containers': [{'image': 'x', 'name': 'x'}]}}}}},
 {'id': 'list-delete',
  'rule': 'a lone {$patch: delete} item removes the list',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-delete'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'name': 'b', 'image': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-delete'},
               'spec': {'template': {'spec': {'containers': [{'$patch': 'delete'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-delete'},
               'spec': {'template': {'spec': {}}}}},
 {'id': 'list-null',
  'rule': 'a null list in the patch removes it',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-null'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a'}],
                                          'volumes': [{'name': 'v', 'emptyDir': {}}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-null'},
               'spec': {'template': {'spec': {'volumes': None}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-null'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a'}]}}}}},
 {'id': 'list-new-with-replace-item',
  'rule': 'a list the resource lacks is taken verbatim-ish: its {$patch: replace} item stays',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-new-with-replace-item'},
           'spec': {'template': {'spec': {}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-new-with-replace-item'},
               'spec': {'template': {'spec': {'containers': [{'$patch': 'replace'},
                                                             {'name': 'x', 'image': 'x'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-new-with-replace-item'},
               'spec': {'template': {'spec': {'containers': [{'$patch': 'replace'}]}}}}},
 {'id': 'list-env',
  'rule': 'env merges by name',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-env'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                          'env': [{'name': 'X', 'value': '1'},
                                                                  {'name': 'Y', 'value': '2'}]}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-env'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'env': [{'name': 'Y', 'value': '3'},
                                                                      {'name': 'Z', 'value': '4'}]}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-env'},
               'spec': {'template': {'spec': {'containers': [{'env': [{'name': 'Y', 'value': '3'},
                                                                      {'name': 'Z', 'value': '4'},
                                                                      {'name': 'X', 'value': '1'}],
                                                              'name': 'a'}]}}}}},
 {'id': 'list-volumemounts',
  'rule': 'volumeMounts merge by mountPath',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-volumemounts'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                          'volumeMounts': [{'name': 'v',
                                                                            'mountPath': '/a'}]}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-volumemounts'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'volumeMounts': [{'name': 'w',
                                                                                'mountPath': '/a',
                                                                                'readOnly': True},
                                                                               {'name': 'v',
                                                                                'mountPath': '/b'}]}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-volumemounts'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'volumeMounts': [{'mountPath': '/a',
                                                                                'name': 'w',
                                                                                'readOnly': True},
                                                                               {'mountPath': '/b',
                                                                                'name': 'v'}]}]}}}}},
 {'id': 'list-volumes',
  'rule': 'volumes merge by name (strategy merge,retainKeys: retainKeys not applied)',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-volumes'},
           'spec': {'template': {'spec': {'volumes': [{'name': 'v', 'emptyDir': {}},
                                                      {'name': 'w', 'secret': {'secretName': 's'}}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-volumes'},
               'spec': {'template': {'spec': {'volumes': [{'name': 'v', 'configMap': {'name': 'c'}}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-volumes'},
               'spec': {'template': {'spec': {'volumes': [{'configMap': {'name': 'c'},
                                                           'emptyDir': {},
                                                           'name': 'v'},
                                                          {'name': 'w', 'secret': {'secretName': 's'}}]}}}}},
 {'id': 'list-imagepullsecrets',
  'rule': 'imagePullSecrets merge by name',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-imagepullsecrets'},
           'spec': {'template': {'spec': {'imagePullSecrets': [{'name': 'a'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-imagepullsecrets'},
               'spec': {'template': {'spec': {'imagePullSecrets': [{'name': 'c'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-imagepullsecrets'},
               'spec': {'template': {'spec': {'imagePullSecrets': [{'name': 'c'}, {'name': 'a'}]}}}}},
 {'id': 'list-tolerations-replaced',
  'rule': 'tolerations have no merge key in v1.21: replaced',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-tolerations-replaced'},
           'spec': {'template': {'spec': {'tolerations': [{'key': 'a'}, {'key': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-tolerations-replaced'},
               'spec': {'template': {'spec': {'tolerations': [{'key': 'c'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-tolerations-replaced'},
               'spec': {'template': {'spec': {'tolerations': [{'key': 'c'}]}}}}},
 {'id': 'list-args-replaced',
  'rule': 'args (no strategy) is replaced',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-args-replaced'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'args': ['1', '2']}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-args-replaced'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a', 'args': ['3']}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-args-replaced'},
               'spec': {'template': {'spec': {'containers': [{'args': ['3'], 'name': 'a'}]}}}}},
 {'id': 'list-finalizers-union',
  'rule': "finalizers (merge, no key) union: patch first, then the resource's others",
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'list-finalizers-union', 'finalizers': ['a', 'b', 'c']}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'list-finalizers-union', 'finalizers': ['z', 'b']}}],
  'expected': {'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'finalizers': ['z', 'b', 'a', 'c'], 'name': 'list-finalizers-union'}}},
 {'id': 'list-ports-two-keys',
  'rule': 'container ports use containerPort+protocol; a key missing on one side can lose elements',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-ports-two-keys'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                          'ports': [{'containerPort': 80},
                                                                    {'containerPort': 81,
                                                                     'protocol': 'UDP'}]}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-ports-two-keys'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'ports': [{'containerPort': 80,
                                                                         'protocol': 'TCP',
                                                                         'name': 'h'},
                                                                        {'containerPort': 82}]}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-ports-two-keys'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'ports': [{'containerPort': 82},
                                                                        {'containerPort': 80},
                                                                        {'containerPort': 81,
                                                                         'protocol': 'UDP'}]}]}}}}},
 {'id': 'list-ports-complete-keys',
  'rule': 'container ports with both keys merge element-wise',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-ports-complete-keys'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                          'ports': [{'containerPort': 80, 'protocol': 'TCP'},
                                                                    {'containerPort': 80,
                                                                     'protocol': 'UDP'}]}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-ports-complete-keys'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'ports': [{'containerPort': 80,
                                                                         'protocol': 'UDP',
                                                                         'name': 'u'},
                                                                        {'containerPort': 90,
                                                                         'protocol': 'TCP'}]}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-ports-complete-keys'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'ports': [{'containerPort': 90,
                                                                         'protocol': 'TCP'},
                                                                        {'containerPort': 80,
                                                                         'protocol': 'TCP'},
                                                                        {'containerPort': 80,
                                                                         'name': 'u',
                                                                         'protocol': 'UDP'}]}]}}}}},
 {'id': 'list-service-ports-ignored',
  'rule': "service ports (port+protocol): a resource element without protocol puts the resource's list back",
  'base': {'apiVersion': 'v1',
           'kind': 'Service',
           'metadata': {'name': 'list-service-ports-ignored'},
           'spec': {'ports': [{'port': 80, 'targetPort': 8080}, {'port': 443, 'protocol': 'TCP'}]}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'Service',
               'metadata': {'name': 'list-service-ports-ignored'},
               'spec': {'ports': [{'port': 443, 'targetPort': 9443}, {'port': 80, 'protocol': 'UDP'}]}}],
  'expected': {'apiVersion': 'v1',
               'kind': 'Service',
               'metadata': {'name': 'list-service-ports-ignored'},
               'spec': {'ports': [{'port': 80, 'targetPort': 8080}, {'port': 443, 'protocol': 'TCP'}]}}},
 {'id': 'list-service-port-no-protocol',
  'rule': 'service port without protocol in the patch matches one with protocol',
  'base': {'apiVersion': 'v1',
           'kind': 'Service',
           'metadata': {'name': 'list-service-port-no-protocol'},
           'spec': {'ports': [{'port': 30900, 'targetPort': 30900, 'protocol': 'TCP'}]}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'Service',
               'metadata': {'name': 'list-service-port-no-protocol'},
               'spec': {'ports': [{'port': 30900, 'targetPort': 30900}]}}],
  'expected': {'apiVersion': 'v1',
               'kind': 'Service',
               'metadata': {'name': 'list-service-port-no-protocol'},
               'spec': {'ports': [{'port': 30900, 'protocol': 'TCP', 'targetPort': 30900}]}}},
 {'id': 'list-base-elem-without-key',
  'rule': 'an element of the resource without merge key: kyaml keeps only it',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-base-elem-without-key'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'image': 'noname'},
                                                         {'name': 'c', 'image': 'c'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-base-elem-without-key'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c', 'image': 'C'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-base-elem-without-key'},
               'spec': {'template': {'spec': {'containers': [{'image': 'noname'}]}}}}},
 {'id': 'list-base-elem-without-key-untouched',
  'rule': '...even when the patch does not touch the list',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-base-elem-without-key-untouched'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'image': 'noname'},
                                                         {'name': 'c', 'image': 'c'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-base-elem-without-key-untouched'},
               'spec': {'replicas': 2}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-base-elem-without-key-untouched'},
               'spec': {'replicas': 2, 'template': {'spec': {'containers': [{'image': 'noname'}]}}}}},
 {'id': 'list-patch-elem-without-key',
  'rule': 'a patch element without merge key empties the list',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-patch-elem-without-key'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                         {'name': 'c', 'image': 'c'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-patch-elem-without-key'},
               'spec': {'template': {'spec': {'containers': [{'image': 'noname'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-patch-elem-without-key'},
               'spec': {'template': {'spec': {'containers': []}}}}},
 {'id': 'list-base-duplicate-keys',
  'rule': 'duplicate keys in the resource: the last one is kept, unmerged',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-base-duplicate-keys'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a1'},
                                                         {'name': 'a', 'image': 'a2', 'x': 1}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-base-duplicate-keys'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'P'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-base-duplicate-keys'},
               'spec': {'template': {'spec': {'containers': [{'image': 'a2', 'name': 'a', 'x': 1}]}}}}},
 {'id': 'list-patch-duplicate-keys',
  'rule': 'duplicate keys in the patch: the first is merged',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-patch-duplicate-keys'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-patch-duplicate-keys'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'P1'},
                                                             {'name': 'a', 'image': 'P2'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-patch-duplicate-keys'},
               'spec': {'template': {'spec': {'containers': [{'image': 'P1', 'name': 'a'}]}}}}},
 {'id': 'list-key-type-text',
  'rule': "merge keys compare as text: 80 matches '80'",
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'list-key-type-text'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                          'ports': [{'containerPort': 80,
                                                                     'protocol': 'TCP',
                                                                     'name': 'x'}]}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-key-type-text'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'ports': [{'containerPort': '80',
                                                                         'protocol': 'TCP',
                                                                         'name': 'y'}]}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'list-key-type-text'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                              'ports': [{'containerPort': '80',
                                                                         'name': 'y',
                                                                         'protocol': 'TCP'}]}]}}}}},
 {'id': 'dir-retainkeys-literal',
  'rule': '$retainKeys is not interpreted: copied as a field',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'dir-retainkeys-literal'},
           'spec': {'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': 1}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'dir-retainkeys-literal'},
               'spec': {'strategy': {'$retainKeys': ['type'], 'type': 'Recreate'}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'dir-retainkeys-literal'},
               'spec': {'strategy': {'$retainKeys': ['type'],
                                     'rollingUpdate': {'maxSurge': 1},
                                     'type': 'Recreate'}}}},
 {'id': 'dir-setelementorder-literal',
  'rule': '$setElementOrder is not interpreted: copied as a field',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'dir-setelementorder-literal'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a'}, {'name': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'dir-setelementorder-literal'},
               'spec': {'template': {'spec': {'$setElementOrder/containers': [{'name': 'b'}, {'name': 'a'}],
                                              'containers': [{'name': 'a', 'image': 'x'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'dir-setelementorder-literal'},
               'spec': {'template': {'spec': {'$setElementOrder/containers': [{'name': 'b'}, {'name': 'a'}],
                                              'containers': [{'image': 'x', 'name': 'a'}, {'name': 'b'}]}}}}},
 {'id': 'dir-deletefromprimitivelist-literal',
  'rule': '$deleteFromPrimitiveList is not interpreted: copied as a field',
  'base': {'apiVersion': 'v1',
           'kind': 'ConfigMap',
           'metadata': {'name': 'dir-deletefromprimitivelist-literal', 'finalizers': ['a', 'b', 'c']}},
  'patches': [{'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'name': 'dir-deletefromprimitivelist-literal',
                            '$deleteFromPrimitiveList/finalizers': ['b']}}],
  'expected': {'apiVersion': 'v1',
               'kind': 'ConfigMap',
               'metadata': {'$deleteFromPrimitiveList/finalizers': ['b'],
                            'finalizers': ['a', 'b', 'c'],
                            'name': 'dir-deletefromprimitivelist-literal'}}},
 {'id': 'crd-list-replaced',
  'rule': 'a CRD list of named maps is replaced (no inference)',
  'base': {'apiVersion': 'example.com/v1',
           'kind': 'Foo',
           'metadata': {'name': 'crd-list-replaced'},
           'spec': {'items': [{'name': 'a', 'v': 1}, {'name': 'b', 'v': 2}]}},
  'patches': [{'apiVersion': 'example.com/v1',
               'kind': 'Foo',
               'metadata': {'name': 'crd-list-replaced'},
               'spec': {'items': [{'name': 'b', 'v': 3}]}}],
  'expected': {'apiVersion': 'example.com/v1',
               'kind': 'Foo',
               'metadata': {'name': 'crd-list-replaced'},
               'spec': {'items': [{'name': 'b', 'v': 3}]}}},
 {'id': 'crd-list-patch-literal',
  'rule': '$patch items in a list without schema stay literally',
  'base': {'apiVersion': 'example.com/v1',
           'kind': 'Foo',
           'metadata': {'name': 'crd-list-patch-literal'},
           'spec': {'items': [{'name': 'a', 'v': 1}, {'name': 'b', 'v': 2}]}},
  'patches': [{'apiVersion': 'example.com/v1',
               'kind': 'Foo',
               'metadata': {'name': 'crd-list-patch-literal'},
               'spec': {'items': [{'name': 'b', '$patch': 'delete'}]}}],
  'expected': {'apiVersion': 'example.com/v1',
               'kind': 'Foo',
               'metadata': {'name': 'crd-list-patch-literal'},
               'spec': {'items': [{'$patch': 'delete', 'name': 'b'}]}}},
 {'id': 'crd-map-patch-delete',
  'rule': '$patch on maps works without schema',
  'base': {'apiVersion': 'example.com/v1',
           'kind': 'Foo',
           'metadata': {'name': 'crd-map-patch-delete'},
           'spec': {'x': {'a': 1}, 'y': 2}},
  'patches': [{'apiVersion': 'example.com/v1',
               'kind': 'Foo',
               'metadata': {'name': 'crd-map-patch-delete'},
               'spec': {'x': {'$patch': 'delete'}}}],
  'expected': {'apiVersion': 'example.com/v1',
               'kind': 'Foo',
               'metadata': {'name': 'crd-map-patch-delete'},
               'spec': {'y': 2}}},
 {'id': 'crd-embedded-resource',
  'rule': "a nested map with apiVersion+kind gets that type's schema",
  'base': {'apiVersion': 'example.com/v1',
           'kind': 'Wrap',
           'metadata': {'name': 'crd-embedded-resource'},
           'spec': {'template': {'apiVersion': 'apps/v1',
                                 'kind': 'Deployment',
                                 'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'},
                                                                               {'name': 'b'}]}}}}}},
  'patches': [{'apiVersion': 'example.com/v1',
               'kind': 'Wrap',
               'metadata': {'name': 'crd-embedded-resource'},
               'spec': {'template': {'spec': {'template': {'spec': {'containers': [{'name': 'a',
                                                                                    'image': 'X'}]}}}}}}],
  'expected': {'apiVersion': 'example.com/v1',
               'kind': 'Wrap',
               'metadata': {'name': 'crd-embedded-resource'},
               'spec': {'template': {'apiVersion': 'apps/v1',
                                     'kind': 'Deployment',
                                     'spec': {'template': {'spec': {'containers': [{'image': 'X',
                                                                                    'name': 'a'},
                                                                                   {'name': 'b'}]}}}}}}},
 {'id': 'gvk-extensions-v1beta1',
  'rule': 'extensions/v1beta1 Deployment is not in the v1.21 schema: lists replaced',
  'base': {'apiVersion': 'extensions/v1beta1',
           'kind': 'Deployment',
           'metadata': {'name': 'gvk-extensions-v1beta1'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a'}, {'name': 'b'}]}}}},
  'patches': [{'apiVersion': 'extensions/v1beta1',
               'kind': 'Deployment',
               'metadata': {'name': 'gvk-extensions-v1beta1'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}]}}}}],
  'expected': {'apiVersion': 'extensions/v1beta1',
               'kind': 'Deployment',
               'metadata': {'name': 'gvk-extensions-v1beta1'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}]}}}}},
 {'id': 'gvk-apps-v1beta2',
  'rule': 'apps/v1beta2 Deployment: no schema either',
  'base': {'apiVersion': 'apps/v1beta2',
           'kind': 'Deployment',
           'metadata': {'name': 'gvk-apps-v1beta2'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a'}, {'name': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v1beta2',
               'kind': 'Deployment',
               'metadata': {'name': 'gvk-apps-v1beta2'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}]}}}}],
  'expected': {'apiVersion': 'apps/v1beta2',
               'kind': 'Deployment',
               'metadata': {'name': 'gvk-apps-v1beta2'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}]}}}}},
 {'id': 'gvk-unknown-version',
  'rule': 'no fallback by kind for an unknown version',
  'base': {'apiVersion': 'apps/v9',
           'kind': 'Deployment',
           'metadata': {'name': 'gvk-unknown-version'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a'}, {'name': 'b'}]}}}},
  'patches': [{'apiVersion': 'apps/v9',
               'kind': 'Deployment',
               'metadata': {'name': 'gvk-unknown-version'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}]}}}}],
  'expected': {'apiVersion': 'apps/v9',
               'kind': 'Deployment',
               'metadata': {'name': 'gvk-unknown-version'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}]}}}}},
 {'id': 'gvk-batch-v1beta1-cronjob',
  'rule': 'batch/v1beta1 CronJob is in the v1.21 schema',
  'base': {'apiVersion': 'batch/v1beta1',
           'kind': 'CronJob',
           'metadata': {'name': 'gvk-batch-v1beta1-cronjob'},
           'spec': {'jobTemplate': {'spec': {'template': {'spec': {'containers': [{'name': 'a'},
                                                                                  {'name': 'b'}]}}}}}},
  'patches': [{'apiVersion': 'batch/v1beta1',
               'kind': 'CronJob',
               'metadata': {'name': 'gvk-batch-v1beta1-cronjob'},
               'spec': {'jobTemplate': {'spec': {'template': {'spec': {'containers': [{'name': 'b',
                                                                                       'image': 'B'}]}}}}}}],
  'expected': {'apiVersion': 'batch/v1beta1',
               'kind': 'CronJob',
               'metadata': {'name': 'gvk-batch-v1beta1-cronjob'},
               'spec': {'jobTemplate': {'spec': {'template': {'spec': {'containers': [{'image': 'B',
                                                                                       'name': 'b'},
                                                                                      {'name': 'a'}]}}}}}}},
 {'id': 'multi-patches',
  'rule': 'patches apply in order',
  'base': {'apiVersion': 'apps/v1',
           'kind': 'Deployment',
           'metadata': {'name': 'multi-patches'},
           'spec': {'template': {'spec': {'containers': [{'name': 'a', 'image': 'a'}]}}}},
  'patches': [{'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'multi-patches'},
               'spec': {'template': {'spec': {'containers': [{'name': 'b', 'image': 'b'}]}}}},
              {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'multi-patches'},
               'spec': {'template': {'spec': {'containers': [{'name': 'a', '$patch': 'delete'},
                                                             {'name': 'c'}]}}}}],
  'expected': {'apiVersion': 'apps/v1',
               'kind': 'Deployment',
               'metadata': {'name': 'multi-patches'},
               'spec': {'template': {'spec': {'containers': [{'name': 'c'}, {'image': 'b', 'name': 'b'}]}}}}}]
# fmt: on


def _apply_all(base, patches, schema=BUILTIN):
    result = base
    for patch in patches:
        result = apply_sm_patch(result, patch, schema)
        if result is None:
            break
    return result


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_verified_table(case):
    expected = case["expected"]
    if isinstance(expected, dict) and "error" in expected:
        with pytest.raises(RenderError) as err:
            _apply_all(case["base"], case["patches"])
        assert expected["error"].split(": node contents")[0] in str(err.value)
        return
    assert _apply_all(case["base"], case["patches"]) == expected, case["rule"]


def test_strategic_merge_returns_none_on_top_level_delete():
    base = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    patch = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "$patch": "delete"}
    assert strategic_merge(base, patch, BUILTIN) is None


def test_strategic_merge_does_not_restore_name():
    # strategic_merge is the bare merge; apply_sm_patch adds kustomize's restoring step
    base = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "a"}}
    patch = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y", "namespace": "b"}}
    assert strategic_merge(base, patch, BUILTIN)["metadata"] == {"name": "y", "namespace": "b"}
    assert apply_sm_patch(base, patch, BUILTIN)["metadata"] == {"name": "x", "namespace": "a"}
    assert apply_sm_patch(base, patch, BUILTIN, allow_name_change=True)["metadata"] == {"name": "y", "namespace": "a"}
    no_ns = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    assert "namespace" not in apply_sm_patch(no_ns, patch, BUILTIN)["metadata"]


# ---- schema ---------------------------------------------------------------------------------

@pytest.mark.parametrize("gvk,path,expected", [
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "containers"], ("merge", ["name"])),
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "containers", "[]", "ports"],
     ("merge", ["containerPort", "protocol"])),
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "containers", "[]", "env"], ("merge", ["name"])),
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "containers", "[]", "volumeMounts"],
     ("merge", ["mountPath"])),
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "volumes"], ("merge,retainKeys", ["name"])),
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "tolerations"], ("", [])),
    (("apps/v1", "Deployment"), ["spec", "template", "spec", "containers", "[]", "args"], ("", [])),
    # strategy is a $ref: the property's retainKeys extension is lost when resolved (as in kyaml)
    (("apps/v1", "Deployment"), ["spec", "strategy"], ("", [])),
    (("v1", "Service"), ["spec", "ports"], ("merge", ["port", "protocol"])),
    (("v1", "ConfigMap"), ["metadata", "finalizers"], ("merge", [])),
    (("v1", "ConfigMap"), ["metadata", "ownerReferences"], ("merge", ["uid"])),
    (("batch/v1beta1", "CronJob"), ["spec", "jobTemplate", "spec", "template", "spec", "initContainers"],
     ("merge", ["name"])),
    (("kustomize.config.k8s.io/v1beta1", "Kustomization"), ["configMapGenerator"], ("merge", ["name"])),
])
def test_builtin_merge_keys(gvk, path, expected):
    assert BUILTIN.merge_info(*gvk, path) == expected


@pytest.mark.parametrize("gvk", [("apps/v1beta2", "Deployment"), ("extensions/v1beta1", "Deployment"),
                                 ("apps/v9", "Deployment"), ("example.com/v1", "Foo")])
def test_unknown_gvk_has_no_schema(gvk):
    assert BUILTIN.root(*gvk) is None


def test_builtin_is_cached_and_small():
    assert MergeSchema.builtin() is MergeSchema.builtin()
    assert len(BUILTIN.known_kinds()) > 200


# A custom document that redefines Container (env without merge strategy) and adds a kind.
CUSTOM = {"definitions": {
    "io.k8s.api.core.v1.Container": {"type": "object", "properties": {
        "name": {"type": "string"},
        "env": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.EnvVar"}}}},
    "my.Crd": {"type": "object", "properties": {"spec": {"type": "object"}},
               "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "MyCRD"}]},
}}
_DEP = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
    "containers": [{"name": "a", "env": [{"name": "X"}]}, {"name": "z"}]}}}}
_DEP_PATCH = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
    "containers": [{"name": "a", "env": [{"name": "Y"}]}]}}}}


@pytest.mark.parametrize("make,expected", [
    # openapi.path at the root (or first met in a base): the custom schema replaces the built-in one
    (lambda: MergeSchema.from_custom(CUSTOM), [{"env": [{"name": "Y"}], "name": "a"}]),
    # set after a strategic-merge patch already initialised the schema: custom wins on equal names
    (lambda: MergeSchema.builtin().with_custom(CUSTOM), [{"env": [{"name": "Y"}], "name": "a"}, {"name": "z"}]),
    # set after a CRD-kind resource was loaded: built-in is parsed after it and wins
    (lambda: MergeSchema.from_custom(CUSTOM).with_builtin(),
     [{"env": [{"name": "Y"}, {"name": "X"}], "name": "a"}, {"name": "z"}]),
])
def test_custom_schema_states(make, expected):
    """The three states kubectl 1.37.1 showed (see renderer/kustomize/openapi.py)."""
    schema = make()
    assert schema.root("example.com", "MyCRD") is None
    assert schema.root("example.com/v1", "MyCRD") is not None
    merged = strategic_merge(_DEP, _DEP_PATCH, schema)
    assert merged["spec"]["template"]["spec"]["containers"] == expected


def test_custom_schema_basic_usage():
    """conformance openapicustomschema__TestCustomOpenApiFieldBasicUsage, merge step."""
    def ref(name):
        return {"$ref": "#/definitions/" + name}
    doc = {"definitions": {
        "v1alpha1.MyCRD": {"type": "object", "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
            "spec": {"type": "object", "properties": {"template": ref("io.k8s.api.core.v1.PodTemplateSpec")}}},
            "x-kubernetes-group-version-kind": [{"group": "example.com", "kind": "MyCRD", "version": "v1alpha1"},
                                                {"group": "", "kind": "MyCRD", "version": "v1alpha1"}]},
        "io.k8s.api.core.v1.PodTemplateSpec": {"type": "object", "properties": {
            "metadata": ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
            "spec": ref("io.k8s.api.core.v1.PodSpec")}},
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"type": "object",
                                                            "properties": {"name": {"type": "string"}}},
        "io.k8s.api.core.v1.PodSpec": {"type": "object", "properties": {"containers": {
            "type": "array", "items": ref("io.k8s.api.core.v1.Container"),
            "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}}},
        "io.k8s.api.core.v1.Container": {"type": "object", "properties": {
            "command": {"type": "array", "items": {"type": "string"}}, "image": {"type": "string"},
            "name": {"type": "string"},
            "ports": {"type": "array", "items": ref("io.k8s.api.core.v1.ContainerPort"),
                      "x-kubernetes-list-map-keys": ["containerPort", "protocol"], "x-kubernetes-list-type": "map",
                      "x-kubernetes-patch-merge-key": "containerPort", "x-kubernetes-patch-strategy": "merge"}}},
        "io.k8s.api.core.v1.ContainerPort": {"type": "object", "properties": {
            "containerPort": {"type": "integer"}, "name": {"type": "string"}, "protocol": {"type": "string"}}},
    }}
    base = {"apiVersion": "example.com/v1alpha1", "kind": "MyCRD", "metadata": {"name": "service"},
            "spec": {"template": {"spec": {"containers": [{"name": "server", "image": "server", "command": "example",
                                                           "ports": [{"name": "grpc", "protocol": "TCP",
                                                                      "containerPort": 8080}]}]}}}}
    patch = {"apiVersion": "example.com/v1alpha1", "kind": "MyCRD", "metadata": {"name": "service"},
             "spec": {"template": {"spec": {"containers": [{"name": "server", "image": "nginx"}]}}}}
    expected = copy.deepcopy(base)
    expected["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx"
    assert apply_sm_patch(base, patch, MergeSchema.from_custom(doc)) == expected
    # without the custom schema the kind is unknown and the containers list is replaced
    assert apply_sm_patch(base, patch, BUILTIN)["spec"]["template"]["spec"]["containers"] == [
        {"name": "server", "image": "nginx"}]


def test_dangling_ref_means_no_schema():
    doc = {"definitions": {"x.Foo": {"type": "object", "properties": {"items": {"$ref": "#/definitions/nope"}},
                                     "x-kubernetes-group-version-kind": [{"group": "x", "version": "v1",
                                                                          "kind": "Foo"}]}}}
    schema = MergeSchema.from_custom(doc)
    root = schema.root("x/v1", "Foo")
    assert root is not None and schema.field(root, "items") is None


# ---- properties -----------------------------------------------------------------------------

_names = st.sampled_from(["a", "b", "c", "d"])
_scalars = st.one_of(st.sampled_from(["x", "y", "1", "true", ""]), st.integers(-3, 3), st.booleans())


def _unique_by(key, elems):
    seen, out = set(), []
    for e in elems:
        if e[key] not in seen:
            seen.add(e[key])
            out.append(e)
    return out


@st.composite
def _container(draw, patch=False):
    c = {"name": draw(_names)}
    if draw(st.booleans()):
        c["image"] = draw(st.one_of(_scalars, st.none()) if patch else _scalars)
    if draw(st.booleans()):
        c["env"] = _unique_by("name", draw(st.lists(st.fixed_dictionaries(
            {"name": st.sampled_from(["E1", "E2", "E3"])}, optional={"value": st.sampled_from(["1", "v"])}),
            max_size=3)))
    if draw(st.booleans()):
        ports = draw(st.lists(st.fixed_dictionaries({"containerPort": st.sampled_from([80, 81]),
                                                     "protocol": st.sampled_from(["TCP", "UDP"])},
                                                    optional={"name": st.sampled_from(["h", "g"])}), max_size=3))
        seen, uniq = set(), []
        for p in ports:
            if (p["containerPort"], p["protocol"]) not in seen:
                seen.add((p["containerPort"], p["protocol"]))
                uniq.append(p)
        c["ports"] = uniq
    if draw(st.booleans()):
        c["args"] = draw(st.lists(st.sampled_from(["-a", "-b"]), max_size=3))
    if patch and draw(st.integers(0, 9)) == 0:
        c["$patch"] = "delete"
    return c


@st.composite
def _deployment(draw, patch=False):
    spec = {}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.one_of(st.integers(0, 3), st.none()) if patch else st.integers(0, 3))
    pod = {}
    if draw(st.booleans()):
        pod["containers"] = _unique_by("name", draw(st.lists(_container(patch), max_size=3)))
    if draw(st.booleans()):
        pod["tolerations"] = draw(st.lists(st.fixed_dictionaries({"key": _names}), max_size=2))
    if draw(st.booleans()):
        pod["nodeSelector"] = draw(st.dictionaries(_names, _scalars, max_size=2))
    if pod:
        spec["template"] = {"spec": pod}
    meta = {"name": "d"}
    if draw(st.booleans()):
        meta["finalizers"] = list(dict.fromkeys(draw(st.lists(st.sampled_from(["f1", "f2", "f3"]), max_size=3))))
    if draw(st.booleans()):
        meta["labels"] = draw(st.dictionaries(_names, st.one_of(_scalars, st.none()) if patch else _scalars,
                                              max_size=2))
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}


_json = st.recursive(st.one_of(_scalars, st.none()),
                     lambda inner: st.one_of(st.lists(inner, max_size=3),
                                             st.dictionaries(st.sampled_from(["name", "k", "v", "$patch"]), inner,
                                                             max_size=3)),
                     max_leaves=12)

_SETTINGS = settings(max_examples=int(os.environ.get("SLUICE_HYPOTHESIS_EXAMPLES", "150")), deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_deployment())
def test_empty_patch_is_identity(base):
    empty = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
    assert strategic_merge(base, empty, BUILTIN) == base


@_SETTINGS
@given(_deployment(), _deployment(patch=True))
def test_patch_is_idempotent(base, patch):
    once = strategic_merge(base, patch, BUILTIN)
    assert strategic_merge(once, patch, BUILTIN) == once


@_SETTINGS
@given(st.one_of(_deployment(), st.builds(lambda s: {"apiVersion": "apps/v1", "kind": "Deployment",
                                                      "metadata": {"name": "d"}, "spec": s}, _json)),
       st.one_of(_deployment(patch=True), st.builds(lambda s: {"apiVersion": "apps/v1", "kind": "Deployment",
                                                                "metadata": {"name": "d"}, "spec": s}, _json)))
def test_inputs_are_never_mutated(base, patch):
    base_before, patch_before = copy.deepcopy(base), copy.deepcopy(patch)
    try:
        result = strategic_merge(base, patch, BUILTIN)
    except RenderError:
        result = None
    assert base == base_before and patch == patch_before
    if result is not None:
        assert result is not base and result is not patch


class _LiteralWalker(_Walker):
    """kyaml's algorithm without the linear fast paths."""

    def _fast_keyed(self, *args):
        return None

    def _fast_primitive(self, *args):
        return None


def _run(walker_cls, base, patch):
    try:
        return walker_cls(BUILTIN).walk(copy.deepcopy(base), copy.deepcopy(patch), None)
    except RenderError as exc:
        return ("error", str(exc))


_elem = st.one_of(
    st.none(), st.just({}), st.sampled_from(["s", 1]),
    st.fixed_dictionaries({}, optional={"name": st.one_of(_names, st.none(), st.just({"x": 1})),
                                        "image": st.one_of(_scalars, st.none()),
                                        "$patch": st.sampled_from(["delete", "replace", "merge"])}))
_plist = st.lists(st.one_of(st.sampled_from(["f1", "f2", 1, "1"]), st.none()), max_size=4)
_port = st.one_of(st.none(), st.fixed_dictionaries({}, optional={
    "port": st.sampled_from([80, 443, "80"]), "protocol": st.one_of(st.sampled_from(["TCP", "UDP"]), st.none()),
    "name": st.sampled_from(["h", "g"]), "$patch": st.sampled_from(["delete", "replace"])}))


@_SETTINGS
@given(st.lists(_elem, max_size=4), st.one_of(st.lists(_elem, max_size=4), st.none()), _plist, _plist)
def test_fast_paths_equal_kyaml_algorithm(base_list, patch_list, base_prim, patch_prim):
    def res(containers, fins):
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": fins},
                "spec": {"containers": containers}}
    base, patch = res(base_list, base_prim), res(patch_list, patch_prim)
    assert _run(_Walker, base, patch) == _run(_LiteralWalker, base, patch)


@_SETTINGS
@given(st.lists(_port, max_size=5), st.lists(_port, max_size=5))
def test_fast_path_equals_kyaml_algorithm_for_two_keys(base_ports, patch_ports):
    def svc(ports):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": ports}}
    base, patch = svc(base_ports), svc(patch_ports)
    assert _run(_Walker, base, patch) == _run(_LiteralWalker, base, patch)


@_SETTINGS
@given(st.lists(st.fixed_dictionaries({"port": st.sampled_from([80, 443, 8080]),
                                       "protocol": st.sampled_from(["TCP", "UDP"])},
                                      optional={"name": st.sampled_from(["h", "g"])}), max_size=5),
       st.lists(st.fixed_dictionaries({"port": st.sampled_from([80, 443, 9090]),
                                       "protocol": st.sampled_from(["TCP", "UDP"])},
                                      optional={"name": st.sampled_from(["x", "y"])}), max_size=5))
def test_two_key_fast_path_is_taken_and_equal(base_ports, patch_ports):
    """Well-formed port lists: the linear path runs (and agrees with the literal one)."""
    def svc(ports):
        seen, uniq = set(), []
        for p in ports:
            if (p["port"], p["protocol"]) not in seen:
                seen.add((p["port"], p["protocol"]))
                uniq.append(p)
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": uniq}}
    base, patch = svc(base_ports), svc(patch_ports)
    assert _run(_Walker, base, patch) == _run(_LiteralWalker, base, patch)


def test_large_lists_merge_in_linear_time():
    n = 20000
    base = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "env": [{"name": f"E{i}", "value": "x"} for i in range(n)]}]}}
    patch = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "env": [{"name": f"E{i}", "value": "y"} for i in range(0, 2 * n, 2)]}]}}
    start = time.perf_counter()
    merged = strategic_merge(base, patch, BUILTIN)
    elapsed = time.perf_counter() - start
    env = merged["spec"]["containers"][0]["env"]
    assert len(env) == n + n // 2 and env[0] == {"name": "E0", "value": "y"}
    assert elapsed < 5, f"merging {n} env vars took {elapsed:.1f}s"


# ---- differential test against kubectl ---------------------------------------------------------

def _kubectl_kustomize():
    exe = shutil.which("kubectl")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "version", "--client"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if "Kustomize Version: v5.8.1" in out.stdout else None


KUBECTL = _kubectl_kustomize()


def _random_case(rnd: random.Random, i: int):
    def pick(*a):
        return rnd.choice(a)

    def elem(patch):
        e = {}
        if rnd.random() < 0.85:
            e["name"] = pick("a", "b", "c")
        if rnd.random() < 0.6:
            e["image"] = pick("x", 1, "1", True, None) if patch else pick("x", 1, "1", True, "")
        if rnd.random() < 0.3:
            e["env"] = [{"name": pick("A", "B"), "value": pick("1", "2")} for _ in range(rnd.randint(0, 2))]
        if rnd.random() < 0.25:
            e["ports"] = [{k: v for k, v in (("containerPort", pick(80, 81)), ("protocol", pick("TCP", "UDP")),
                                             ("name", pick("h", "g"))) if rnd.random() < 0.7}
                          for _ in range(rnd.randint(0, 2))]
        if patch and rnd.random() < 0.1:
            e["$patch"] = pick("delete", "replace", "merge")
        return e

    def lst(patch):
        out = [elem(patch) for _ in range(rnd.randint(0, 3))]
        if patch and rnd.random() < 0.1:
            out.insert(rnd.randint(0, len(out)), {"$patch": pick("delete", "replace")})
        return out

    def res(patch):
        r = {"apiVersion": pick("apps/v1", "apps/v1", "example.com/v1"), "kind": "Deployment",
             "metadata": {"name": f"r{i}"}, "spec": {}}
        if rnd.random() < 0.4:
            r["metadata"]["finalizers"] = [pick("f1", "f2", "f3") for _ in range(rnd.randint(0, 3))]
        pod = {}
        if rnd.random() < 0.8:
            pod["containers"] = lst(patch)
        if rnd.random() < 0.2:
            pod["volumes"] = [{"name": pick("v1", "v2"), pick("emptyDir", "secret"): {}}
                              for _ in range(rnd.randint(0, 2))]
        if rnd.random() < 0.2:
            pod["nodeSelector"] = {"k": pick("1", 1, "x", None) if patch else pick("1", 1, "x")}
        r["spec"]["template"] = {"spec": pod}
        if rnd.random() < 0.2:
            r["spec"]["extra"] = {pick("p", "q"): {"z": pick(1, "1", None) if patch else pick(1, "1")}
                                  for _ in range(2)}
        return r

    base = res(False)
    patch = res(True)
    patch["apiVersion"] = base["apiVersion"]
    return base, patch


@pytest.mark.skipif(KUBECTL is None, reason="kubectl with Kustomize v5.8.1 (the oracle) is not on PATH")
def test_differential_against_kubectl():
    rnd = random.Random(20240611)
    cases = [_random_case(rnd, i) for i in range(200)] + [
        (c["base"], c["patches"][0]) for c in CASES
        if len(c["patches"]) == 1 and not (isinstance(c["expected"], dict) and "error" in c["expected"])
        and c["expected"] is not None]
    with tempfile.TemporaryDirectory() as tmp:
        kust = {"resources": [], "patches": []}
        for i, (base, patch) in enumerate(cases):
            for name, doc in ((f"r{i}.yaml", base), (f"p{i}.yaml", patch)):
                with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                    yaml.safe_dump(doc, f)
            kust["resources"].append(f"r{i}.yaml")
            kust["patches"].append({"path": f"p{i}.yaml"})
        with open(os.path.join(tmp, "kustomization.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump(kust, f)
        out = subprocess.run([KUBECTL, "kustomize", tmp], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(out.stdout) if d}
    mismatches = []
    for base, patch in cases:
        mine = apply_sm_patch(base, patch, BUILTIN)
        oracle = got.get((base["kind"], base["metadata"]["name"]))
        if mine != oracle:
            mismatches.append((base, patch, mine, oracle))
    assert not mismatches, json.dumps(mismatches[:3], indent=1)
