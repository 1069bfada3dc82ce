// The benchmark's reference for time to first frame: a bare Ink "hello", bundled
// exactly as dist/warroom.mjs is (scripts/build-bundle.mjs --entry).
import React from 'react';
import { render, Text } from 'ink';

render(React.createElement(Text, null, 'hello from ink'));
