// The benchmark's reference for time to first frame: a bare Ink "hello", bundled by
// scripts/build-bundle.mjs --entry as a plain ES module (dist/warroom.mjs is the same
// bundle behind a loader with a compile cache, docs/bundle.md).
import React from 'react';
import { render, Text } from 'ink';

render(React.createElement(Text, null, 'hello from ink'));
