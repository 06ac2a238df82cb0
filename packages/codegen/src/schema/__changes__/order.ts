/** The input of every workflow of the change cases. */
export interface Order {
  id: string;
  sku: string;
  quantity: number;
  items: string[];
  vip: boolean;
  express: boolean;
}
