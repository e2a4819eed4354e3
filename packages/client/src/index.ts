export { ApiError, createHttpClient, type ApiResponse, type ClientOptions, type HttpClient, type RequestOptions } from './http-client.js';
export { createAuditClient, type AuditAggregate, type AuditClient, type AuditEventView, type BundleView, type CorrectionView, type StateCorrectionView, type StoreVerificationView } from './audit-client.js';
