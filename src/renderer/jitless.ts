import { z } from 'zod';

// Must run before any schema is built: zod otherwise probes `new Function`, which the
// page's CSP (no 'unsafe-eval') reports as a violation even though zod catches it.
z.config({ jitless: true });
