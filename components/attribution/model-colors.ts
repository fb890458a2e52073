// One colour per attribution model, the same on every chart and table that names a model.
import type { ModelKey } from '../../lib/web/attribution-report.ts';

export const MODEL_COLORS: Record<ModelKey, string> = {
  first_click: '#2f5bd3',
  last_click: '#e07b39',
  linear: '#1f8a4c',
  time_decay: '#8250c4',
  position_based: '#c23b6e',
};
