/**
 * Apache ECharts with only what the reports draw (bars and pies on a canvas, axes, tooltip,
 * legend). Imported dynamically by Chart.tsx, so it lands in a lazy chunk of its own and never in
 * the first route's.
 */
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
