export { ApiError, createHttpClient, type ApiResponse, type ClientOptions, type HttpClient, type RequestOptions } from './http-client.js';
