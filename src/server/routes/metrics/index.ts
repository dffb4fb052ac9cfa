import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { recordCsatRoute } from './record-csat.js';
import { getQualityMetricsRoute } from './get-quality-metrics.js';
import { getLearningMetricsRoute } from './get-learning-metrics.js';
import { proposeThresholdsRoute } from './propose-thresholds.js';
import { tuneThresholdsRoute } from './tune-thresholds.js';
import { getLearningSettingsRoute } from './get-learning-settings.js';
import { updateLearningSettingsRoute } from './update-learning-settings.js';

/** Quality and learning metrics, CSAT, and the tuning of autonomy thresholds. */
export const metricsRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    recordCsatRoute(app, desk);
    getQualityMetricsRoute(app, desk);
    getLearningMetricsRoute(app, desk);
    proposeThresholdsRoute(app, desk);
    tuneThresholdsRoute(app, desk);
    getLearningSettingsRoute(app, desk);
    updateLearningSettingsRoute(app, desk);
  };
