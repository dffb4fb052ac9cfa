/** Public API of the intent classifier. */
export {
  IntentClassifier,
  RECALIBRATION_MIN,
  recalibrated,
  type Calibration,
  type Recalibration,
} from './classifier.js';
export {
  IntentPredictionSchema,
  ExplanationSchema,
  MultiIntentSchema,
  LabelledExampleSchema,
  MULTI_INTENT_THRESHOLD,
  IntentClassifierOptionsSchema,
  type IntentPrediction,
  type IntentExplanation,
  type MultiIntent,
  type LabelledExample,
  type IntentClassifierOptions,
} from './schema.js';
export { MODEL_FORMAT_VERSION } from './serialize.js';
export { expectedCalibrationError, thresholdForPrecision } from './calibration.js';
