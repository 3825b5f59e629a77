import { useCompactHeap } from './compact-heap.js';
import { ignoreOutputErrors } from './process-failures.js';
import { serve } from './serve.js';

useCompactHeap();
ignoreOutputErrors(process.stdout, process.stderr);
const failed = await serve(process.env, process.stderr);
// Nothing listens when start-up failed; bad settings exit 64, anything else 2.
if (failed !== undefined) process.exit(failed);
