/** Public API of the intent classifier. */
export { IntentClassifier, type Calibration } from './classifier.js';
export {
  IntentPredictionSchema,
  ExplanationSchema,
  MultiIntentSchema,
  LabelledExampleSchema,
  IntentClassifierOptionsSchema,
  type IntentPrediction,
  type IntentExplanation,
  type MultiIntent,
  type LabelledExample,
  type IntentClassifierOptions,
} from './schema.js';
export { MODEL_FORMAT_VERSION } from './serialize.js';
export { expectedCalibrationError, thresholdForPrecision } from './calibration.js';
